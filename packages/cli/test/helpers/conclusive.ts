/** How many load tests a test runs, at most, to get one conclusive run. */
const CONCLUSIVE_ATTEMPTS = 4;

/**
 * Runs a load test until it is conclusive, at most `attempts` times, and
 * returns the first conclusive run (`pass` or `fail`); throws, with every
 * attempt's reasons, when none was. On a busy machine the generator is
 * sometimes late or starved and the run says so (`inconclusive`): a test
 * then retries and asserts its whole claim, rather than asserting less.
 *
 * @example
 * const report = await untilConclusive(() => runOne(server.url, { rate: 50 }));
 * expect(report.targets[0]?.latency.p50).toBeLessThan(150);
 */
export async function untilConclusive<T extends { verdict: string; inconclusive: string[] }>(
  run: () => Promise<T>,
  attempts = CONCLUSIVE_ATTEMPTS,
): Promise<T> {
  const reasons: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = await run();
    if (result.verdict !== 'inconclusive') return result;
    reasons.push(`attempt ${attempt}: ${result.inconclusive.join('; ')}`);
  }
  throw new Error(`no conclusive run in ${attempts} attempts:\n${reasons.join('\n')}`);
}
