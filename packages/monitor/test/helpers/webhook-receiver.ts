import type { AlertEvent } from '../../src/index.js';
import { listen, type RunningServer } from './http-server.js';

export interface WebhookReceiver {
  url: string;
  /** Bodies of the requests answered 2xx. */
  delivered: AlertEvent[];
  /** Every request received, answered or refused. */
  attempts: number;
  close(): Promise<void>;
}

/**
 * A real local HTTP receiver; `statuses` are answered in order (then 204),
 * e.g. `[503, 503]` fails twice before accepting.
 */
export async function startWebhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const receiver: Partial<WebhookReceiver> & { delivered: AlertEvent[]; attempts: number } = {
    delivered: [],
    attempts: 0,
  };
  const server: RunningServer = await listen((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const status = statuses[receiver.attempts++] ?? 204;
      if (status < 300 && req.headers['content-type'] === 'application/json') {
        receiver.delivered.push(JSON.parse(body) as AlertEvent);
      }
      res.statusCode = status;
      res.end();
    });
  });
  receiver.url = `${server.url}/hooks/perf`;
  receiver.close = () => server.close();
  return receiver as WebhookReceiver;
}
