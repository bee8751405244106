import type { FakeAgentListing } from './agent-list.js';
import type { FaultPlan } from './faults.js';
import { validateFaultPlan } from './faults.js';
import type { LatencySpec } from './latency.js';
import { validateLatency } from './latency.js';

/**
 * Options of {@link startFakeElevenLabs}. Everything but `host` and `port` can be changed at runtime
 * with `configure`.
 *
 * @example
 * const options: FakeElevenLabsOptions = {
 *   latency: { kind: 'none' },
 *   faults: { rates: [{ fault: { kind: 'status', status: 503 }, rate: 0.1 }] },
 *   agentFaults: { [slowId]: { latency: { kind: 'fixed', ms: 2000 } } },
 * };
 */
export interface FakeElevenLabsOptions {
  /** Interface to listen on. Default: `'127.0.0.1'`. */
  host?: string;
  /** Port to listen on. Default: `0` (any free port; read it from `url`). */
  port?: number;
  /** The only `xi-api-key` accepted; any other (or none) gets 401 `invalid_api_key`. Default: `'fake-elevenlabs-key'`. */
  apiKey?: string;
  /** Seed of the PRNG behind latencies and fault rates: the same seed gives the same draws. Default: `42`. */
  seed?: number;
  /** Latency of every request. Default: log-normal, median 300 ms, p99 1,500 ms. */
  latency?: LatencySpec;
  /** Faults for every request (after the agent's own). Default: none. */
  faults?: FaultPlan;
  /** Faults (and latency) per agent id, applied before `faults`. Default: none. */
  agentFaults?: Record<string, FaultPlan>;
  /** Requests served at once; beyond, 429 `concurrent_limit_exceeded` at once. Default: unlimited. */
  concurrencyLimit?: number;
  /** Agents that `GET /v1/convai/agents` lists, in this order. Default: none. */
  agents?: FakeAgentListing[];
}

/** What `configure` accepts: the options that can change while the server runs. */
export type FakeElevenLabsSettings = Omit<FakeElevenLabsOptions, 'host' | 'port'>;

/** Settings with every default filled in. */
export type ResolvedSettings = Required<FakeElevenLabsSettings>;

/**
 * The defaults, in one place.
 *
 * @example
 * FAKE_DEFAULTS.apiKey; // 'fake-elevenlabs-key'
 */
export const FAKE_DEFAULTS: ResolvedSettings & { host: string; port: number } = {
  host: '127.0.0.1',
  port: 0,
  apiKey: 'fake-elevenlabs-key',
  seed: 42,
  latency: { kind: 'lognormal', medianMs: 300, p99Ms: 1500 },
  faults: {},
  agentFaults: {},
  concurrencyLimit: Number.POSITIVE_INFINITY,
  agents: [],
};

/** Merges `changes` over `base` and validates the result, with a message naming the bad option. */
export function resolveSettings(base: ResolvedSettings, changes: FakeElevenLabsSettings): ResolvedSettings {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  const settings: ResolvedSettings = { ...base, ...defined };
  const where = 'startFakeElevenLabs';
  if (typeof settings.apiKey !== 'string' || settings.apiKey === '') {
    throw new TypeError(`${where}: apiKey must be a non-empty string`);
  }
  if (!Number.isInteger(settings.seed))
    throw new TypeError(`${where}: seed must be an integer, got ${settings.seed}`);
  if (!(settings.concurrencyLimit >= 1)) {
    throw new TypeError(`${where}: concurrencyLimit must be >= 1, got ${settings.concurrencyLimit}`);
  }
  validateLatency(settings.latency, `${where}: latency`);
  validateFaultPlan(settings.faults, `${where}: faults`);
  for (const [agentId, plan] of Object.entries(settings.agentFaults)) {
    validateFaultPlan(plan, `${where}: agentFaults[${agentId}]`);
  }
  return settings;
}
