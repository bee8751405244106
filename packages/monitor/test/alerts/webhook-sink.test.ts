import { afterEach, describe, expect, it } from 'vitest';
import { type AlertEvent, createWebhookSink, WebhookDeliveryError } from '../../src/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const event = { state: 'firing', rule: 'r', route: '/x', method: '*' } as AlertEvent;

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
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
});
