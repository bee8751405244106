import { describe, expect, it } from 'vitest';
import { within } from '../src/index.js';

describe('within', () => {
  it("answers the promise's value, or the fallback once the time has passed", async () => {
    expect(await within(Promise.resolve('done'), 1_000, 'late')).toBe('done');
    expect(await within(new Promise(() => {}), 10, 'late')).toBe('late');
  });

  it("rejects with the promise's error when it fails first", async () => {
    await expect(within(Promise.reject(new Error('broken')), 1_000, 'late')).rejects.toThrow('broken');
  });
});
