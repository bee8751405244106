/**
 * `defaults` with the options a caller set over them. A field set to `undefined` keeps its default,
 * like a field left out: `{ batchSize: env.BATCH ? Number(env.BATCH) : undefined }` means the default,
 * where a plain spread would pass the `undefined` on to fail validation.
 *
 * @example
 * withDefaults({ retries: 3, jitter: false }, { retries: undefined, jitter: true }); // { retries: 3, jitter: true }
 */
export function withDefaults<D extends object, O extends object>(
  defaults: D,
  options: O | undefined,
): WithDefaults<D, O> {
  const set = Object.entries(options ?? {}).filter(([, value]) => value !== undefined);
  return { ...defaults, ...Object.fromEntries(set) } as WithDefaults<D, O>;
}

/** What {@link withDefaults} returns: an option with a default is never `undefined`; one without keeps its type. */
export type WithDefaults<D, O> = Omit<D, keyof O> & {
  [K in keyof O]-?: K extends keyof D ? Exclude<O[K], undefined> | D[K] : O[K];
};
