/**
 * Reads until `done` holds (a notification travelling between instances),
 * or fails after `timeoutMs`.
 *
 * @example
 * await eventually(() => overview(b), (r) => r.body.kpis.totalCalls === expected);
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
