/** The servers compared side by side, in the order the table prints them. */
export const VARIANTS = [
  'bare express',
  'perfkit',
  'perfkit + Server-Timing',
  'perfkit + access log',
  'express-prom-bundle',
] as const;

export type Variant = (typeof VARIANTS)[number];
