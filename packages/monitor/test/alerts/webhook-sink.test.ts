import { startWebhookReceiver, type WebhookReceiver } from '@perfkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AlertEvent,
  createWebhookSink,
  InvalidMonitorOptionsError,
  WebhookDeliveryError,
} from '../../src/index.js';
import { captureLogger } from '../helpers/capture-logger.js';

const event = { state: 'firing', rule: 'r', route: '/x', method: '*' } as AlertEvent;

let receiver: WebhookReceiver | undefined;
let target: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  await target?.close();
  target = undefined;
});

describe('webhook sink', () => {
  it('retries 5xx and 429 with backoff until the receiver accepts', async () => {
    receiver = await startWebhookReceiver([503, 429]);
    await createWebhookSink({ url: receiver.url, retryDelay: 5 }).send(event);
    expect(receiver.attempts).toBe(3);
    expect(receiver.delivered).toEqual([event]);
  });

  it('gives up after its attempts with PERFKIT_MONITOR_WEBHOOK_DELIVERY_FAILED', async () => {
    receiver = await startWebhookReceiver([500, 500, 500, 500]);
    const sending = createWebhookSink({ url: receiver.url, attempts: 3, retryDelay: 1 }).send(event);
    await expect(sending).rejects.toBeInstanceOf(WebhookDeliveryError);
    await expect(sending).rejects.toMatchObject({
      code: 'PERFKIT_MONITOR_WEBHOOK_DELIVERY_FAILED',
      attempts: 3,
    });
    expect(receiver.attempts).toBe(3);
  });

  it('does not retry a request the receiver rejects as invalid', async () => {
    receiver = await startWebhookReceiver([400]);
    await expect(createWebhookSink({ url: receiver.url, retryDelay: 1 }).send(event)).rejects.toMatchObject({
      attempts: 1,
    });
    expect(receiver.attempts).toBe(1);
  });

  it('retries when nothing listens, then fails', async () => {
    receiver = await startWebhookReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    await expect(createWebhookSink({ url, attempts: 2, retryDelay: 1 }).send(event)).rejects.toMatchObject({
      attempts: 2,
    });
  });

  it('shows only the origin of its URL in its name, its errors and their logs, never the token in the path', async () => {
    receiver = await startWebhookReceiver([500]);
    const token = 'T0001/B0002/s3cr3tT0k3n';
    const sink = createWebhookSink({ url: `${receiver.url}/${token}?sig=abc`, attempts: 1 });
    const origin = new URL(receiver.url).origin;
    expect(sink.name).toBe(`webhook ${origin}/***`);

    const error = await sink.send(event).catch((e: unknown) => e);
    expect(error).toMatchObject({
      url: `${origin}/***`,
      message: `webhook ${origin}/*** failed after 1 attempts`,
    });
    const log = captureLogger();
    log.logger.error({ err: error, sink: sink.name }, 'alert sink failed');
    expect(log.text()).not.toContain('s3cr3t');
    expect(log.text()).not.toContain('sig=');
  });

  it.each([
    ['credentials', 'https://alerts:hunter2@hooks.example.com/perf', /must not carry credentials/],
    ['another scheme', 'file:///etc/hunter2', /^monitor: url must be http: or https:, got file:$/],
    ['no URL at all', 'hooks.example.com/hunter2', /^monitor: url must be an absolute http\(s\) URL$/],
  ])('rejects a URL with %s as an invalid option, without echoing it', (_, url, message) => {
    const creating = () => createWebhookSink({ url });
    expect(creating).toThrow(InvalidMonitorOptionsError);
    expect(creating).toThrow(message);
    expect(creating).toThrow(
      expect.objectContaining({ code: 'PERFKIT_MONITOR_INVALID_OPTION', option: 'url' }),
    );
    expect(creating).not.toThrow(/hunter2/);
  });

  it.each([
    [{ timeout: 0 }, 'timeout', /^monitor: timeout must be longer than 0 ms/],
    [{ timeout: '30d' }, 'timeout', /^monitor: timeout must be at most 2147483647 ms/],
    [{ retryDelay: '30d' }, 'retryDelay', /^monitor: retryDelay must be at most 2147483647 ms/],
  ] as const)('rejects %j, which a timer would end at once, naming %s', (options, option, message) => {
    const creating = () => createWebhookSink({ url: 'https://hooks.example.com/perf', ...options });
    expect(creating).toThrow(message);
    expect(creating).toThrow(expect.objectContaining({ code: 'PERFKIT_MONITOR_INVALID_OPTION', option }));
  });

  it('does not follow a redirect, so its headers never reach the other host', async () => {
    target = await startWebhookReceiver();
    receiver = await startWebhookReceiver([307], { location: target.url });
    const sink = createWebhookSink({
      url: receiver.url,
      attempts: 1,
      headers: { authorization: 'Bearer t0k3n' },
    });
    await expect(sink.send(event)).rejects.toBeInstanceOf(WebhookDeliveryError);
    expect(receiver.headers[0]?.authorization).toBe('Bearer t0k3n');
    expect(target.attempts).toBe(0);
  });
});
