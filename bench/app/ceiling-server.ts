// The ceiling: bare Express routes that answer the bodies they are handed with
// Express's defaults (`res.send` of the JSON string), in a process of its own:
// `/ceiling/<api>` answers that API's body. It takes the bodies over IPC (the
// message is the object itself) and answers with its port.
import type { AddressInfo } from 'node:net';
import express from 'express';

const bodies = (await new Promise((resolve) => process.once('message', resolve))) as Record<string, string>;
const app = express();
for (const [api, body] of Object.entries(bodies)) {
  app.get(`/ceiling/${api}`, (_req, res) => {
    res.type('application/json').send(body);
  });
}
const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
