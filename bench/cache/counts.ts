// What an L2 hit costs the process, in counts the machine's load cannot move, unlike wall-clock time:
// - instructions per read (callgrind), all threads and the main thread alone: GC runs partly on helper
//   threads, and an L2 hit fills L1, which the floor does not;
// - where the CPU time goes (a CPU profile of the counted reads): perfkit's code, ioredis, GC, the rest.
// Each contender (perfkit, CACHE_BASELINE's perfkit if set, the raw GET + JSON.parse floor) runs in its own
// process; callgrind counts only the READS reads that follow WARMUP uncounted ones.
//
// From bench/: COUNT=instructions,profile CACHE_BASELINE=HEAD npx tsx --conditions=@perfkit/source cache/counts.ts
// CALLGRIND_KEEP=<dir> keeps each contender's callgrind files there, for callgrind_annotate.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CountJob } from './count-child.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WARMUP = Number(process.env.WARMUP ?? 2000);
const READS = Number(process.env.READS ?? 2000);
const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONTENDERS: CountJob['contender'][] = process.env.CACHE_BASELINE
  ? ['floor', 'perfkit', 'baseline']
  : ['floor', 'perfkit'];

/** Runs one contender's child; `ready` runs before the counted reads start, `done` after they end. */
async function runChild(
  job: CountJob,
  runner: string[],
  hooks: { ready(child: ChildProcess): Promise<void>; done(child: ChildProcess): Promise<void> },
): Promise<void> {
  const args = [
    '--conditions=@perfkit/source',
    '--import',
    'tsx',
    'cache/count-child.ts',
    JSON.stringify(job),
  ];
  const [command, ...rest] = [...runner, process.execPath, ...args];
  const child = spawn(command as string, rest, {
    cwd: BENCH_DIR,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: string[] = [];
  child.on('message', (message) => messages.push(String(message)));
  const message = async (expected: string) => {
    while (!messages.includes(expected)) await once(child, 'message');
  };
  try {
    await message('ready');
    await hooks.ready(child);
    child.send('go');
    await message('done');
    await hooks.done(child);
    child.send('exit');
    await once(child, 'exit');
  } finally {
    child.kill();
  }
}

const control = (child: ChildProcess, option: string) =>
  promisify(execFile)('callgrind_control', [option, String(child.pid)]);

/** Instructions per read: all threads, and the main thread alone. */
async function instructions(contender: CountJob['contender']): Promise<{ all: number; main: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'cache-counts-'));
  try {
    const runner = [
      'valgrind',
      '--quiet',
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      // V8 rewrites code it generated; valgrind must notice it anywhere.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
    ];
    const job = { contender, redisUrl: REDIS_URL, warmup: WARMUP, reads: READS };
    await runChild(job, runner, {
      ready: async (child) => {
        await control(child, '--instr=on');
        await control(child, '--zero');
      },
      done: async (child) => void (await control(child, '--dump')),
    });
    // One file per thread of the dump: `callgrind.out.1-01` (main thread), `-02`, …
    let all = 0;
    let main = 0;
    for (const file of (await readdir(dir)).filter((f) => /^callgrind\.out\.1-\d+$/.test(f))) {
      const totals = /^(?:totals|summary): (\d+)/m.exec(await readFile(join(dir, file), 'utf8'));
      const count = Number(totals?.[1] ?? 0);
      all += count;
      if (file.endsWith('-01')) main = count;
    }
    if (process.env.CALLGRIND_KEEP)
      await cp(dir, join(process.env.CALLGRIND_KEEP, contender), { recursive: true });
    return { all: all / READS, main: main / READS };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

const PLACES: [string, RegExp][] = [
  ['perfkit', /packages\/cache\/src|perfkit-cache-baseline/],
  ['ioredis', /ioredis|redis-errors|standard-as-callback|cluster-key-slot/],
  ['lru-cache', /lru-cache/],
];

// Native frames in which a command goes into the socket: mostly the kernel's loopback send, which the
// machine's load slows down for every contender alike.
const SOCKET_WRITES = new Set(['writeUtf8String', 'writeLatin1String', 'writeBuffer', 'writev']);

/** CPU time per counted read, µs, by place in the code, GC apart. */
async function profileByPlace(contender: CountJob['contender']): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'cache-profile-'));
  try {
    const reads = READS * 5;
    const job = { contender, redisUrl: REDIS_URL, warmup: WARMUP, reads, profileDir: dir };
    await runChild(job, [], { ready: async () => undefined, done: async () => undefined });
    const profile = JSON.parse(await readFile(join(dir, 'reads.cpuprofile'), 'utf8')) as CpuProfile;
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const perRead: Record<string, number> = {};
    profile.samples.forEach((id, i) => {
      const frame = frames.get(id);
      if (frame === undefined || frame.functionName === '(idle)' || frame.functionName === '(program)')
        return;
      const micros = (profile.timeDeltas[i] ?? 0) / reads;
      const place =
        frame.functionName === '(garbage collector)'
          ? 'GC'
          : SOCKET_WRITES.has(frame.functionName)
            ? 'socket writes'
            : (PLACES.find(([, pattern]) => pattern.test(frame.url))?.[0] ?? 'other');
      perRead[place] = (perRead[place] ?? 0) + micros;
    });
    return perRead;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const counts = new Set((process.env.COUNT ?? 'instructions,profile').split(','));
console.log(
  `# L2-hit reads: ${READS} counted after ${WARMUP} uncounted, 2 KB JSON value, Node ${process.version}\n`,
);
if (counts.has('instructions')) {
  console.log('| contender | instructions per read, all threads | main thread |\n| --- | --- | --- |');
  for (const contender of CONTENDERS) {
    const { all, main } = await instructions(contender);
    console.log(
      `| ${contender} | ${Math.round(all).toLocaleString('en')} | ${Math.round(main).toLocaleString('en')} |`,
    );
  }
  console.log();
}
if (counts.has('profile')) {
  const places = ['perfkit', 'ioredis', 'lru-cache', 'GC', 'other', 'socket writes'];
  // A sampling profile counts time in a native frame whether or not the thread had a core: the socket
  // writes (the kernel's loopback send) swell with the machine's load, so they stand apart, last.
  console.log(`CPU µs per read (profile of ${READS * 5} reads)\n`);
  console.log(`| contender | ${places.join(' | ')} |\n| --- |${places.map(() => ' --- |').join('')}`);
  for (const contender of CONTENDERS) {
    const perRead = await profileByPlace(contender);
    console.log(`| ${contender} | ${places.map((p) => (perRead[p] ?? 0).toFixed(1)).join(' | ')} |`);
  }
}
