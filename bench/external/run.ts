import type { Fault } from '@perfkit/external/fake';
import { fakeAgentId, startFakeElevenLabs } from '@perfkit/external/fake';
import Table from 'cli-table3';
import { formatMs, percentile, timed } from './measure.js';
import type { BatchResult } from './scenarios.js';
import { deadlineClient, MapCache, officialSdk, oneByOne, oursCold } from './scenarios.js';

// 50 agents at the fake's default latency (log-normal, median 300 ms, p99 1.5 s), as issue 5 asks.
const AGENTS = 50;
const RUNS = Number(process.env.RUNS ?? 20);
const SLOW_RUNS = Number(process.env.SLOW_RUNS ?? 3);
const PEER_RUNS = Number(process.env.PEER_RUNS ?? 5);
const DEADLINE_CALLS = Number(process.env.DEADLINE_CALLS ?? 100);
const BUDGET_MS = 300;

/** 10% failures: 5% 503, 3% 500, 2% connection resets. */
const TEN_PERCENT: Array<{ fault: Fault; rate: number }> = [
  { fault: { kind: 'status', status: 503 }, rate: 0.05 },
  { fault: { kind: 'status', status: 500 }, rate: 0.03 },
  { fault: { kind: 'reset' }, rate: 0.02 },
];

const ids = Array.from({ length: AGENTS }, (_, i) => fakeAgentId(`bench-${i}`));
const fake = await startFakeElevenLabs();
const table = new Table({
  head: [
    'failures',
    'scenario',
    'runs',
    'p50 wall',
    'p90 wall',
    'max wall',
    'failures surfaced / 50',
    'vs one-by-one (p50)',
  ],
});
const summary: Record<string, number> = {};

for (const [label, rates] of [
  ['0%', []],
  ['10%', TEN_PERCENT],
] as const) {
  const samples: Record<string, Array<{ ms: number; failures: number }>> = {};
  const record = async (name: string, run: number, scenario: () => Promise<BatchResult>) => {
    // Same seed for every scenario of a run: each agent's n-th request draws the same latency and fault.
    fake.configure({ seed: run + 1, faults: { rates: [...rates] } });
    const { value, ms } = await timed(scenario);
    samples[name] = [...(samples[name] ?? []), { ms, failures: value.failures }];
  };
  for (let run = 0; run < RUNS; run++) {
    await record('ours, cold (concurrency 16)', run, () => oursCold(fake, ids));
    if (run < SLOW_RUNS) await record('one-by-one (naive)', run, () => oneByOne(fake, ids));
    if (run < PEER_RUNS)
      await record('@elevenlabs/elevenlabs-js (16 in flight)', run, () => officialSdk(fake, ids));
    process.stderr.write('.');
  }
  const warm = deadlineClient(fake, new MapCache());
  await warm.getAgentConfigs(ids, { budgetMs: 60_000 });
  for (let run = 0; run < RUNS; run++) {
    await record('ours, warm (cache)', run, async () => {
      const entries = await warm.getAgentConfigs(ids, { budgetMs: BUDGET_MS });
      return { failures: entries.filter((e) => e.status !== 'fresh').length };
    });
  }
  const baseline = percentile(samples['one-by-one (naive)']?.map((s) => s.ms) ?? [], 50);
  for (const [name, list] of Object.entries(samples)) {
    const walls = list.map((s) => s.ms);
    const p50 = percentile(walls, 50);
    const failures = list.reduce((sum, s) => sum + s.failures, 0) / list.length;
    summary[`${label} ${name} p50`] = p50;
    table.push([
      label,
      name,
      list.length,
      formatMs(p50),
      formatMs(percentile(walls, 90)),
      formatMs(Math.max(...walls)),
      failures.toFixed(1),
      `${(baseline / p50).toFixed(1)}×`,
    ]);
  }
}
process.stderr.write('\n');
console.log(
  `\n${AGENTS} agent configs, fake latency log-normal median 300 ms / p99 1.5 s\n${table.toString()}`,
);

const deadlineTable = new Table({
  head: [
    'failures',
    'calls',
    'budget',
    'p50',
    'p99',
    'max',
    'p99 − budget',
    'fresh / pending / other (mean of 50)',
  ],
});
for (const [label, rates] of [
  ['0%', []],
  ['10%', TEN_PERCENT],
] as const) {
  fake.configure({ seed: 1000, faults: { rates: [...rates] } });
  const elapsed: number[] = [];
  const statuses = { fresh: 0, pending: 0, other: 0 };
  const clients = [];
  for (let call = 0; call < DEADLINE_CALLS; call++) {
    // A new client and an empty cache each call: the cold case, the one that waits on ElevenLabs.
    const client = deadlineClient(fake, new MapCache());
    clients.push(client);
    const { value, ms } = await timed(() => client.getAgentConfigs(ids, { budgetMs: BUDGET_MS }));
    elapsed.push(ms);
    for (const entry of value) {
      if (entry.status === 'fresh' || entry.status === 'pending') statuses[entry.status]++;
      else statuses.other++;
    }
    // Background fetches of earlier calls keep running, as in the app; bound them to a few calls' worth.
    if (clients.length > 3) await clients.shift()?.idle();
  }
  await Promise.all(clients.map((c) => c.idle()));
  const p99 = percentile(elapsed, 99);
  summary[`${label} deadline p99`] = p99;
  const mean = (n: number) => (n / DEADLINE_CALLS).toFixed(1);
  deadlineTable.push([
    label,
    DEADLINE_CALLS,
    `${BUDGET_MS} ms`,
    `${percentile(elapsed, 50).toFixed(1)} ms`,
    `${p99.toFixed(1)} ms`,
    `${Math.max(...elapsed).toFixed(1)} ms`,
    `${(p99 - BUDGET_MS).toFixed(1)} ms`,
    `${mean(statuses.fresh)} / ${mean(statuses.pending)} / ${mean(statuses.other)}`,
  ]);
}
console.log(
  `\ngetAgentConfigs(50 ids, { budgetMs: ${BUDGET_MS} }), cold cache each call\n${deadlineTable.toString()}`,
);

const cold = summary['0% ours, cold (concurrency 16) p50'] ?? Number.NaN;
const naive = summary['0% one-by-one (naive) p50'] ?? Number.NaN;
console.log(
  `\nacceptance: cold p50 over ${RUNS} runs ${formatMs(cold)} (<= 2.50 s: ${cold <= 2500 ? 'yes' : 'NO'}), ` +
    `${(naive / cold).toFixed(1)}× faster than one-by-one (>= 6×: ${naive / cold >= 6 ? 'yes' : 'NO'}), ` +
    `deadline p99 ${summary['0% deadline p99']?.toFixed(1)} ms (<= ${BUDGET_MS + 50} ms: ${(summary['0% deadline p99'] ?? Infinity) <= BUDGET_MS + 50 ? 'yes' : 'NO'})`,
);
await fake.close();
