import { describe, expect, it } from 'vitest';
import { untilConclusive } from './conclusive.js';

describe('untilConclusive', () => {
  it('retries an inconclusive run and returns the first conclusive one', async () => {
    const verdicts = ['inconclusive', 'inconclusive', 'fail'];
    let calls = 0;
    const run = await untilConclusive(async () => ({
      verdict: verdicts[calls++] ?? 'pass',
      inconclusive: [],
    }));
    expect(run.verdict).toBe('fail');
    expect(calls).toBe(3);
  });

  it("fails after its attempts, with every attempt's reasons, when no run is conclusive", async () => {
    let calls = 0;
    const never = async () => ({ verdict: 'inconclusive', inconclusive: [`${++calls} sends late`] });
    await expect(untilConclusive(never, 3)).rejects.toThrow(
      'no conclusive run in 3 attempts:\nattempt 1: 1 sends late\nattempt 2: 2 sends late\nattempt 3: 3 sends late',
    );
    expect(calls).toBe(3);
  });
});
