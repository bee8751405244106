import { startWebhookReceiver } from '@perfkit/testing';
import { type AlertEvent, createCallbackSink, createLogSink, createWebhookSink } from '../../src/index.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { describeAlertSinkContract } from './alert-sink.contract.js';

describeAlertSinkContract('log sink', async () => {
  const log = captureLogger();
  return {
    sink: createLogSink(log.logger),
    delivered: () => log.lines().map((line) => line.alert as AlertEvent),
    close: async () => {},
  };
});

describeAlertSinkContract('webhook sink', async () => {
  const receiver = await startWebhookReceiver<AlertEvent>();
  return {
    sink: createWebhookSink({ url: receiver.url }),
    delivered: () => receiver.delivered,
    close: () => receiver.close(),
  };
});

describeAlertSinkContract('callback sink', async () => {
  const delivered: AlertEvent[] = [];
  return {
    sink: createCallbackSink((event) => {
      delivered.push(event);
    }),
    delivered: () => delivered,
    close: async () => {},
  };
});
