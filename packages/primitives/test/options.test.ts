import { describe, expect, it } from 'vitest';
import { withDefaults } from '../src/index.js';

describe('withDefaults', () => {
  it('puts the options a caller set over the defaults', () => {
    expect(withDefaults({ retries: 3, jitter: false }, { jitter: true })).toEqual({
      retries: 3,
      jitter: true,
    });
  });

  it('keeps the default of an option set to undefined, as of one left out', () => {
    const fromEnv = { retries: undefined as number | undefined, jitter: undefined as boolean | undefined };
    expect(withDefaults({ retries: 3, jitter: false }, fromEnv)).toEqual({ retries: 3, jitter: false });
    expect(withDefaults({ retries: 3 }, undefined)).toEqual({ retries: 3 });
  });

  it('keeps options that have no default, and falsy values that are set', () => {
    expect(withDefaults({ retries: 3, name: 'x' }, { retries: 0, name: '', extra: 1 })).toEqual({
      retries: 0,
      name: '',
      extra: 1,
    });
  });
});
