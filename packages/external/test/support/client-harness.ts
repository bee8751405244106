import { type ManualClock, manualClock } from '@perfkit/primitives/testing';
import type { FakeElevenLabs, FakeElevenLabsOptions } from '../../src/fake/index.js';
import { startFakeElevenLabs } from '../../src/fake/index.js';
import type { ElevenLabsClientEvents, ElevenLabsClientOptions } from '../../src/index.js';
import { ElevenLabsClient } from '../../src/index.js';

/** A logged line. */
export interface LogLine {
  level: 'warn' | 'error';
  message: string;
  context: Record<string, unknown>;
}

/** A fake server and a client wired to it, recording events and logs. */
export interface Harness {
  fake: FakeElevenLabs;
  client: ElevenLabsClient;
  clock: ManualClock;
  logs: LogLine[];
  events: { [E in keyof ElevenLabsClientEvents]: Array<ElevenLabsClientEvents[E]> };
}

const running: FakeElevenLabs[] = [];

/**
 * Starts a fake (no latency unless given) and a client on a manual clock whose sleeps move it at once
 * (instant backoff, each wait recorded in `clock.sleeps`), short attempt timeout.
 */
export async function startHarness(
  fakeOptions: FakeElevenLabsOptions = {},
  clientOptions: Partial<ElevenLabsClientOptions> = {},
): Promise<Harness> {
  const fake = await startFakeElevenLabs({ latency: { kind: 'none' }, ...fakeOptions });
  running.push(fake);
  const clock = manualClock({ start: Date.now(), autoAdvance: true });
  const logs: LogLine[] = [];
  const client = new ElevenLabsClient({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    attemptTimeout: '2s',
    clock,
    logger: {
      warn: (context, message) => logs.push({ level: 'warn', message, context }),
      error: (context, message) => logs.push({ level: 'error', message, context }),
    },
    ...clientOptions,
  });
  const events: Harness['events'] = { attempt: [], breaker: [], concurrency: [], failure: [] };
  client.on('attempt', (e) => events.attempt.push(e));
  client.on('breaker', (e) => events.breaker.push(e));
  client.on('concurrency', (e) => events.concurrency.push(e));
  client.on('failure', (e) => events.failure.push(e));
  return { fake, client, clock, logs, events };
}

/** Closes every fake started by `startHarness`; call it in `afterEach`. */
export async function closeHarnesses(): Promise<void> {
  await Promise.all(running.splice(0).map((fake) => fake.close()));
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection, got a value');
}
