#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { fakeAgentId } from './agent-config.js';
import { startFakeElevenLabs } from './fake-server.js';
import type { LatencySpec } from './latency.js';

const USAGE = `Usage: fake-elevenlabs [--port 8787] [--host 127.0.0.1] [--api-key KEY] [--seed N]
                       [--latency none | fixed:MS | lognormal:MEDIAN_MS:P99_MS] [--agents N]`;

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string' },
    'api-key': { type: 'string' },
    seed: { type: 'string' },
    latency: { type: 'string' },
    agents: { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const fake = await startFakeElevenLabs({
  port: parseInteger(values.port, '--port'),
  host: values.host,
  apiKey: values['api-key'],
  seed: values.seed === undefined ? undefined : parseInteger(values.seed, '--seed'),
  latency: values.latency === undefined ? undefined : parseLatency(values.latency),
  agents: Array.from({ length: parseInteger(values.agents, '--agents') }, (_, i) =>
    fakeAgentId(`agent-${i}`),
  ),
});
console.log(`fake ElevenLabs listening on ${fake.url} (xi-api-key: ${fake.apiKey})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void fake.close().then(() => process.exit(0));
  });
}

function parseInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) fail(`${flag} needs an integer, got ${JSON.stringify(text)}`);
  return value;
}

function parseLatency(text: string): LatencySpec {
  const [kind, ...numbers] = text.split(':');
  const ms = numbers.map((n) => parseInteger(n, '--latency'));
  if (kind === 'none' && ms.length === 0) return { kind: 'none' };
  if (kind === 'fixed' && ms.length === 1) return { kind: 'fixed', ms: ms[0] as number };
  if (kind === 'lognormal' && ms.length === 2) {
    return { kind: 'lognormal', medianMs: ms[0] as number, p99Ms: ms[1] as number };
  }
  return fail(`--latency must be none, fixed:MS or lognormal:MEDIAN_MS:P99_MS, got ${JSON.stringify(text)}`);
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}
