import { describe, expect, it } from 'vitest';
import { InvalidOptionError, PerfkitError, someCause } from '../src/index.js';

class ThingError extends PerfkitError<'PERFKIT_THING_BROKEN' | 'PERFKIT_THING_LOST'> {}

class ThingOptionError extends InvalidOptionError<'PERFKIT_THING_INVALID_OPTION'> {
  constructor(option: string, problem: string) {
    super(option, problem, 'PERFKIT_THING_INVALID_OPTION', { scope: 'thing' });
  }
}

describe('PerfkitError', () => {
  it('carries its code, its class name and the cause it was given', () => {
    const cause = new Error('socket hang up');
    const error = new ThingError('PERFKIT_THING_LOST', 'lost it', { cause });
    expect(error).toBeInstanceOf(PerfkitError);
    expect(error).toMatchObject({
      name: 'ThingError',
      code: 'PERFKIT_THING_LOST',
      message: 'lost it',
      cause,
    });
  });

  it('has no cause property at all when it was given none', () => {
    expect('cause' in new ThingError('PERFKIT_THING_BROKEN', 'broken', { cause: undefined })).toBe(false);
  });
});

describe('InvalidOptionError', () => {
  it('is built (option, problem) in every package: its message is scope, option and problem', () => {
    const error = new ThingOptionError('retry.minDelay', 'must be >= 0');
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toBeInstanceOf(PerfkitError);
    expect(error).toMatchObject({
      name: 'ThingOptionError',
      code: 'PERFKIT_THING_INVALID_OPTION',
      option: 'retry.minDelay',
      problem: 'must be >= 0',
      message: 'thing: retry.minDelay must be >= 0',
    });
  });

  it('has no scope in its message when none is given: the program prints its own name', () => {
    const error = new InvalidOptionError('--rate', 'must be a number', 'PERFKIT_CLI_INVALID_OPTION');
    expect(error.message).toBe('--rate must be a number');
  });
});

describe('someCause', () => {
  const isReset = (error: unknown) => (error as { code?: unknown }).code === 'ECONNRESET';
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

  it('finds a cause under wrappers, and the error itself', () => {
    const wrapped = new Error('load failed', { cause: new Error('query failed', { cause: reset }) });

    expect(someCause(wrapped, isReset)).toBe(true);
    expect(someCause(reset, isReset)).toBe(true);
    expect(someCause(new Error('other', { cause: new Error('deeper') }), isReset)).toBe(false);
    expect(someCause(undefined, isReset)).toBe(false);
  });

  it('looks at most five deep, so a cyclic cause ends', () => {
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    let visits = 0;
    expect(
      someCause(cyclic, () => {
        visits++;
        return false;
      }),
    ).toBe(false);
    expect(visits).toBe(5);

    let sixDeep: unknown = reset;
    for (let wrappers = 0; wrappers < 5; wrappers++) sixDeep = new Error('wrapper', { cause: sixDeep });
    expect(someCause(sixDeep, isReset)).toBe(false);
  });
});
