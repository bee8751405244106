// One contender of counts.ts in a process of its own: writes its keys, warms up, then reads the counted
// keys when the parent says `go` (the parent switches callgrind on or the profiler runs around them).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { perfkitAdapter } from './adapters/perfkit-adapter.js';
import { loadPerfkitBaseline } from './baseline.js';
import { type L2Contender, l2Contender, rawRedisFloor } from './scenarios/l2-hit.js';

/** What the parent asks for: a contender, how many reads to warm up and to count, and what to record. */
export interface CountJob {
  contender: 'perfkit' | 'baseline' | 'floor';
  redisUrl: string;
  warmup: number;
  reads: number;
  /** Set: write a CPU profile of the counted reads into this directory. */
  profileDir?: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as CountJob;
const send = (message: string) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));
const next = () => new Promise<void>((resolve) => process.once('message', () => resolve()));

async function contenderFor({ contender, redisUrl }: CountJob): Promise<L2Contender & { done(): void }> {
  const prefix = `bench:count:${process.pid}:`;
  if (contender === 'floor') return { ...rawRedisFloor(redisUrl, prefix), done: () => undefined };
  if (contender === 'perfkit') {
    return { ...(await l2Contender(perfkitAdapter, redisUrl, prefix)), done: () => undefined };
  }
  const baseline = await loadPerfkitBaseline(process.env.CACHE_BASELINE ?? 'HEAD');
  return { ...(await l2Contender(baseline.factory, redisUrl, prefix)), done: baseline.close };
}

const contender = await contenderFor(job);
const keys = Array.from({ length: job.warmup + job.reads }, (_, i) => `k${i}`);
for (const key of keys) await contender.write(key);
for (const key of keys.slice(0, job.warmup)) await contender.read(key);

const session = job.profileDir === undefined ? undefined : new Session();
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
}
await send('ready');
await next();
await session?.post('Profiler.start');
for (const key of keys.slice(job.warmup)) await contender.read(key);
if (session && job.profileDir) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(join(job.profileDir, 'reads.cpuprofile'), JSON.stringify(profile));
}
await send('done');
await next();
await contender.close();
contender.done();
process.exit(0);
