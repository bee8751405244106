import type { IncomingHttpHeaders } from 'node:http';
import { listenHttp, type RunningServer } from './http-server.js';

/** A webhook receiver started by {@link startWebhookReceiver}; `T` is the JSON body it is sent. */
export interface WebhookReceiver<T = unknown> {
  url: string;
  /** Bodies of the requests answered 2xx. */
  delivered: T[];
  /** Every request received, answered or refused. */
  attempts: number;
  /** The headers of every request received. */
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * A real local HTTP receiver; `statuses` are answered in order (then 204),
 * e.g. `[503, 503]` fails twice before accepting. A 3xx carries `location`.
 */
export async function startWebhookReceiver<T = unknown>(
  statuses: number[] = [],
  options: { location?: string } = {},
): Promise<WebhookReceiver<T>> {
  const receiver: Partial<WebhookReceiver<T>> & {
    delivered: T[];
    attempts: number;
    headers: IncomingHttpHeaders[];
  } = {
    delivered: [],
    attempts: 0,
    headers: [],
  };
  const server: RunningServer = await listenHttp((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      receiver.headers.push(req.headers);
      const status = statuses[receiver.attempts++] ?? 204;
      if (status >= 300 && status < 400 && options.location) res.setHeader('location', options.location);
      if (status < 300 && req.headers['content-type'] === 'application/json') {
        receiver.delivered.push(JSON.parse(body) as T);
      }
      res.statusCode = status;
      res.end();
    });
  });
  receiver.url = `${server.url}/hooks/perf`;
  receiver.close = () => server.close();
  return receiver as WebhookReceiver<T>;
}
