import { InvalidOptionError } from '../errors.js';

/** The flag that sets each library option a command passes on (`{ warmupMs: '--warmup' }`). */
export type FlagNames = Readonly<Record<string, string>>;

/**
 * Wraps a command's action so that an invalid option is named by its flag:
 * the library names its options (`warmupMs`), the user typed flags
 * (`--warmup`).
 *
 * @example
 * command.action(withFlagNames({ warmupMs: '--warmup' }, async (opts) => { await runLoadtest(…) }));
 * // perf-cli: --warmup must be >= 0 and <= 604800000 ms, got -1 ms
 */
export function withFlagNames<A extends unknown[]>(
  flags: FlagNames,
  action: (...args: A) => unknown,
): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      const flag = error instanceof InvalidOptionError ? flags[error.option] : undefined;
      throw flag && error instanceof InvalidOptionError ? error.renamed(flag) : error;
    }
  };
}
