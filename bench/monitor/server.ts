// One benchmark server per process, so that the load generator in the parent
// never shares an event loop with the server it measures.
import { AsyncLocalStorage } from 'node:async_hooks';
import type * as MonitorModule from '@perfkit/monitor';
import express, { type RequestHandler } from 'express';
import promBundle from 'express-prom-bundle';
import { pino } from 'pino';
import { isVariant, monitorSource, selectedVariants } from './variants.js';

const variant = process.argv[2] ?? '';
if (!isVariant(variant))
  throw new Error(`unknown variant ${variant}; one of ${selectedVariants().join(', ')}`);
const { config, module } = monitorSource(variant);
const { createMonitor } = (await import(module)) as typeof MonitorModule;

const app = express();
// Summed by the 'close listener only' variant and reported with the CPU time,
// so that its listener does real work.
let listenerMs = 0;
let handler: RequestHandler = (req, res) => {
  res.json({ id: req.params.id, ok: true });
};

const monitor = config.startsWith('perfkit')
  ? createMonitor({
      serverTiming: config === 'perfkit + Server-Timing',
      accessLog: config === 'perfkit + access log',
      logger: pino(pino.destination({ dest: '/dev/null', sync: false })),
    })
  : undefined;
if (monitor !== undefined) {
  app.use(monitor.middleware());
  const inner = handler;
  handler = (req, res, next) => monitor.timer(res).time('db', () => inner(req, res, next));
} else if (variant === 'express-prom-bundle') {
  app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }));
} else if (variant === 'express layer only') {
  app.use((_req, _res, next) => next());
} else if (variant === 'AsyncLocalStorage only') {
  const storage = new AsyncLocalStorage<object>();
  app.use((_req, _res, next) => storage.run({}, next));
} else if (variant === 'header only') {
  app.use((_req, res, next) => {
    res.setHeader('Server-Timing', 'db;dur=0.1, total;dur=0.2');
    next();
  });
} else if (variant === 'shared listener + property') {
  const kStart = Symbol('start');
  function onClose(this: Record<symbol, number>) {
    listenerMs += performance.now() - (this[kStart] as number);
  }
  app.use((_req, res, next) => {
    (res as unknown as Record<symbol, number>)[kStart] = performance.now();
    res.on('close', onClose);
    next();
  });
} else if (variant.startsWith('close listener')) {
  if (variant === 'close listener + monitor') createMonitor();
  if (variant === 'close listener + monitor without process metrics')
    createMonitor({ processMetrics: false });
  app.use((_req, res, next) => {
    const start = performance.now();
    res.on('close', () => {
      listenerMs += performance.now() - start;
    });
    next();
  });
}
app.get('/api/agents/:id', handler);
// After the measured route, as express-prom-bundle answers it inside its own
// middleware: the measured requests then cross the same route table in
// every variant, and the difference is the middleware alone.
if (monitor !== undefined) app.get('/metrics', monitor.metricsHandler());

// CPU time per request is the figure that survives a shared, noisy machine:
// the parent asks for it around each load run.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage(), listenerMs });
  // A normal exit, so that --cpu-prof writes its profile.
  if (message === 'exit') process.exit(0);
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
