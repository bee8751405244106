/**
 * Mid-ranks (1-based) of a pooled sample: tied values share the mean of
 * their ranks.
 */
function midRanks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]?.[1] ?? 0] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/**
 * One-sided Mann–Whitney U (Wilcoxon rank-sum) test that `greater` tends to
 * exceed `smaller`, with an exact p-value: the permutation distribution of
 * the rank sum is counted by dynamic programming over the pooled mid-ranks,
 * so ties and small samples are handled exactly (no normal approximation).
 *
 * @example
 * rankSumPValue([10, 11, 12, 10.5, 11.5, 12.5], [13, 14, 15, 13.5, 14.5, 15.5]) // 1/924 ≈ 0.00108
 */
export function rankSumPValue(smaller: number[], greater: number[]): number {
  const n = smaller.length;
  const m = greater.length;
  if (n === 0 || m === 0) return 1;
  const ranks = midRanks([...smaller, ...greater]);
  // Mid-ranks are multiples of 0.5: doubling them makes every sum an integer index.
  const doubled = ranks.map((r) => Math.round(r * 2));
  const observed = doubled.slice(n).reduce((a, b) => a + b, 0);
  const maxSum = doubled.reduce((a, b) => a + b, 0);
  // counts[k][s]: how many k-subsets of the items seen so far sum to s.
  let counts: Float64Array[] = Array.from({ length: m + 1 }, () => new Float64Array(maxSum + 1));
  (counts[0] as Float64Array)[0] = 1;
  for (const r of doubled) {
    const next = counts.map((row) => row.slice());
    for (let k = 0; k < m; k++) {
      const from = counts[k] as Float64Array;
      const to = next[k + 1] as Float64Array;
      for (let s = 0; s + r <= maxSum; s++) if (from[s]) to[s + r] = (to[s + r] ?? 0) + (from[s] ?? 0);
    }
    counts = next;
  }
  const dist = counts[m] as Float64Array;
  let total = 0;
  let atLeast = 0;
  for (let s = 0; s <= maxSum; s++) {
    total += dist[s] ?? 0;
    if (s >= observed) atLeast += dist[s] ?? 0;
  }
  return atLeast / total;
}

/**
 * The smallest one-sided p-value the rank-sum test can reach with samples of
 * these sizes (complete separation): 1 / C(n + m, n).
 *
 * @example
 * minimumPValue(6, 6) // 1/924
 */
export function minimumPValue(n: number, m: number): number {
  let c = 1;
  for (let i = 1; i <= n; i++) c = (c * (m + i)) / i;
  return 1 / c;
}

/**
 * Hodges–Lehmann estimate of the relative shift from `base` to `current`:
 * the median over all pairs of current / base − 1. Robust to one odd
 * repetition, unlike a ratio of means.
 *
 * @example
 * relativeShift([10, 10, 10], [12, 12, 12]) // 0.2
 */
export function relativeShift(base: number[], current: number[]): number {
  const ratios: number[] = [];
  for (const b of base)
    for (const c of current) ratios.push(b > 0 ? c / b - 1 : c > 0 ? Number.POSITIVE_INFINITY : 0);
  ratios.sort((a, b) => a - b);
  if (ratios.length === 0) return 0;
  const mid = ratios.length / 2;
  return Number.isInteger(mid)
    ? ((ratios[mid - 1] ?? 0) + (ratios[mid] ?? 0)) / 2
    : (ratios[Math.floor(mid)] ?? 0);
}

/** Median of a sample (0 for an empty one). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length / 2;
  return Number.isInteger(mid) ? ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2 : (s[Math.floor(mid)] ?? 0);
}
