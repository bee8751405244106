import { describe, expect, it } from 'vitest';
import { loadOptionsFrom } from '../../src/commands/load-options.js';
import { InvalidOptionError } from '../../src/index.js';
import { memoryIo } from '../helpers/latency-server.js';

const flags = {
  target: ['thing=http://127.0.0.1:9/x'],
  model: 'open',
  rate: '100',
  connections: '10',
  repetitions: '6',
  duration: '10s',
  warmup: '2s',
  timeout: '10s',
};

describe('loadOptionsFrom', () => {
  it('reads duration flags with the grammar every perfkit package shares: bare ms, days, white space', () => {
    const options = loadOptionsFrom(
      { ...flags, duration: '1 d', warmup: '1500', timeout: ' 2s ' },
      memoryIo().io,
    );
    expect(options).toMatchObject({ durationMs: 86_400_000, warmupMs: 1500, timeoutMs: 2000 });
  });

  it('names the flag of a duration it cannot read', () => {
    const reading = () => loadOptionsFrom({ ...flags, warmup: '2 secs' }, memoryIo().io);
    expect(reading).toThrow(InvalidOptionError);
    expect(reading).toThrow(
      expect.objectContaining({ code: 'PERFKIT_CLI_INVALID_OPTION', option: '--warmup' }),
    );
  });
});
