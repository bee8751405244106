/** Fisher–Yates, so libraries take turns in a different order every round. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * Calls `op` sequentially in batches until `budgetMs` is spent; returns the ns per call of each batch.
 * Batches, not single calls, because timing one sub-microsecond call would measure the timer.
 */
export async function nsPerCallByBatch(
  op: () => Promise<unknown>,
  budgetMs: number,
  batch = 1000,
): Promise<number[]> {
  const perCall: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await op();
    perCall.push(Number(process.hrtime.bigint() - started) / batch);
  }
  return perCall;
}

/** A JSON-serializable dashboard-like object of about 2 KB. */
export function twoKilobyteValue(): object {
  const rows = Array.from({ length: 16 }, (_, i) => ({
    agentId: 7000 + i,
    name: `Agent number ${i}`,
    calls: 1000 + i * 37,
    completed: 800 + i * 29,
    successRate: 0.8123,
    lastCallAt: '2026-11-29T12:00:00.000Z',
  }));
  return { userId: 42, range: '30d', rows };
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function formatRate(opsPerSecond: number): string {
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(2)}M`;
  if (opsPerSecond >= 1e3) return `${(opsPerSecond / 1e3).toFixed(0)}k`;
  return opsPerSecond.toFixed(0);
}
