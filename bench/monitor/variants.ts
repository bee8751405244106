/** The servers compared side by side by default, in the order the table prints them. */
export const VARIANTS = [
  'bare express',
  'perfkit',
  'perfkit + Server-Timing',
  'perfkit + access log',
  'express-prom-bundle',
] as const;

/**
 * Stripped-down middlewares that split the middleware's cost into its parts:
 * one that only calls `next()` (the Express layer); one that also adds a
 * `close` listener whose closure holds the start time; two that pay
 * Server-Timing's inherent costs alone, an AsyncLocalStorage context per
 * request and one more response header; the listener again with an unused
 * monitor created in the process, with and without process metrics; and one
 * shared listener that reads the start time written onto the response, the
 * alternative to a closure per request.
 */
export const PARTS = [
  'express layer only',
  'close listener only',
  'AsyncLocalStorage only',
  'header only',
  'close listener + monitor',
  'close listener + monitor without process metrics',
  'shared listener + property',
] as const;

/**
 * The perfkit variants again, with the monitor loaded from the source file
 * that `MONITOR_BASELINE` names (another version's `src/index.ts`, e.g. from
 * `git archive`), so that two versions of the code are measured side by side.
 */
export const BASELINES = [
  'perfkit (baseline)',
  'perfkit + Server-Timing (baseline)',
  'perfkit + access log (baseline)',
] as const;

export type Variant = (typeof VARIANTS)[number] | (typeof PARTS)[number] | (typeof BASELINES)[number];

const ALL: readonly Variant[] = [...VARIANTS, ...PARTS, ...BASELINES];

const BASELINE_SUFFIX = ' (baseline)';

/**
 * The variant's monitor configuration and where its monitor comes from:
 * `'perfkit + Server-Timing (baseline)'` is `'perfkit + Server-Timing'` from `MONITOR_BASELINE`.
 */
export function monitorSource(variant: Variant): { config: string; module: string } {
  if (!variant.endsWith(BASELINE_SUFFIX)) return { config: variant, module: '@perfkit/monitor' };
  const module = process.env.MONITOR_BASELINE;
  if (module === undefined || module === '') {
    throw new Error(`${variant} needs MONITOR_BASELINE, the path of another version's src/index.ts`);
  }
  return { config: variant.slice(0, -BASELINE_SUFFIX.length), module };
}

export function isVariant(name: string): name is Variant {
  return (ALL as readonly string[]).includes(name);
}

/** The variants a comma-separated list names; an unknown name throws. */
export function parseVariants(list: string): Variant[] {
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !isVariant(name));
  if (unknown.length > 0) throw new Error(`unknown variant ${unknown.join(', ')}; one of ${ALL.join(', ')}`);
  return names as Variant[];
}

/**
 * The variants to run: the comma-separated `VARIANTS` environment variable
 * (bare Express always included, as every loss is relative to it), else the
 * default five.
 */
export function selectedVariants(list = process.env.VARIANTS): Variant[] {
  if (list === undefined || list.trim() === '') return [...VARIANTS];
  return ['bare express', ...parseVariants(list).filter((name) => name !== 'bare express')];
}
