import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAgentId } from '../src/fake/index.js';
import { closeHarnesses, rejectionOf, startHarness } from './support/client-harness.js';
import { MemoryCache } from './support/memory-cache.js';

afterEach(closeHarnesses);

const agent = fakeAgentId('logged');

/** A real pino logger writing JSON lines into memory. */
function pinoInMemory() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  const lines = () =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger: pino(stream), lines };
}

class UnwritableCache extends MemoryCache {
  override async set(): Promise<void> {
    throw new Error('cache is read-only');
  }
}

describe('logger', () => {
  it('takes a pino child logger as it is: its bindings, the context and the message reach the line', async () => {
    const log = pinoInMemory();
    const { client } = await startHarness(
      { faults: { sequence: [{ fault: { kind: 'status', status: 404 } }] } },
      { logger: log.logger.child({ component: 'elevenlabs' }) },
    );
    await rejectionOf(client.getAgent(agent));
    expect(log.lines()).toEqual([
      expect.objectContaining({
        level: 50,
        component: 'elevenlabs',
        msg: 'ElevenLabs call failed',
        agentId: agent,
        code: 'PERFKIT_EXT_NOT_FOUND',
        status: 404,
        attempts: 1,
      }),
    ]);
  });

  it('logs a failing cache write as a pino warning with the error under err', async () => {
    const log = pinoInMemory();
    const { client } = await startHarness({}, { logger: log.logger, cache: new UnwritableCache() });
    await client.getAgent(agent);
    expect(log.lines()).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'ElevenLabs config cache write failed',
        agentId: agent,
        err: expect.objectContaining({ type: 'Error', message: 'cache is read-only' }),
      }),
    ]);
  });
});
