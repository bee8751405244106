// The ceiling: a bare Express route that answers the body it is handed, as the
// app's reply does (a JSON string), in a process of its own. It takes the body
// over IPC and answers with its port.
import type { AddressInfo } from 'node:net';
import express from 'express';

const [body] = (await new Promise((resolve) => process.once('message', resolve))) as [string];
const app = express();
app.get('/ceiling', (_req, res) => {
  res.type('application/json').send(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
