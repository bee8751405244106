import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FAKE_AGENT_ID_PATTERN, type FakeAgentConfig, fakeAgentConfig } from './agent-config.js';
import type { FakeAgentSummary } from './agent-list.js';
import { listPage, parseListQuery, summarize } from './agent-list.js';
import { errorBody } from './error-bodies.js';
import type { FakeElevenLabsOptions, FakeElevenLabsSettings, ResolvedSettings } from './fake-options.js';
import { FAKE_DEFAULTS, resolveSettings } from './fake-options.js';
import type { Fault } from './faults.js';
import { FaultScope } from './faults.js';
import { drawLatency } from './latency.js';
import { randomFor } from './random.js';

/** Counters for tests: how the client behaved towards the server. */
export interface FakeElevenLabsStats {
  /** Requests received, whatever their answer. */
  requests: number;
  /** Requests being served right now (those rejected by the concurrency limit are not counted). */
  inFlight: number;
  /** The highest `inFlight` seen since the start or the last `resetStats`. */
  maxInFlight: number;
  /** `GET /v1/convai/agents/{id}` requests per agent id. */
  byAgent: Record<string, number>;
  /** Answers by outcome: the status code as text, or `'hang'`, `'stall_body'`, `'reset'`. */
  byOutcome: Record<string, number>;
  /**
   * Answers the client cut off: its connection closed before the whole answer was written (a hung
   * request it gave up on, a long body it stopped reading). The fake's own resets do not count.
   */
  clientAborts: number;
}

/**
 * A running fake ElevenLabs server.
 *
 * @example
 * const fake = await startFakeElevenLabs({ latency: { kind: 'none' } });
 * await fetch(`${fake.url}/v1/convai/agents/${fakeAgentId('a')}`, { headers: { 'xi-api-key': fake.apiKey } });
 * await fake.close();
 */
export interface FakeElevenLabs {
  /** Base URL, e.g. `http://127.0.0.1:43125` (no trailing slash). */
  readonly url: string;
  /** The accepted `xi-api-key` (changes with `configure({ apiKey })`). */
  readonly apiKey: string;
  /** Changes settings at runtime; fault sequences restart from the new plans. */
  configure(changes: FakeElevenLabsSettings): void;
  /** A snapshot of the counters. */
  stats(): FakeElevenLabsStats;
  /** Zeroes the counters. */
  resetStats(): void;
  /** Stops listening and drops every connection, hung requests included; calling it again is harmless. */
  close(): Promise<void>;
}

type Route = { kind: 'agent'; agentId: string } | { kind: 'list' };

const AGENT_PATH = /^\/v1\/convai\/agents\/([^/]+)$/;
const LIST_PATH = '/v1/convai/agents';

/**
 * Starts a fake ElevenLabs API on 127.0.0.1 (port 0 by default) with the real paths, auth header,
 * bodies and error shapes, seeded latency and fault injection.
 *
 * @example
 * const fake = await startFakeElevenLabs({ latency: { kind: 'fixed', ms: 50 }, concurrencyLimit: 4 });
 * console.log(fake.url);
 */
export async function startFakeElevenLabs(options: FakeElevenLabsOptions = {}): Promise<FakeElevenLabs> {
  const { host = FAKE_DEFAULTS.host, port = FAKE_DEFAULTS.port, ...initial } = options;
  let settings = resolveSettings(FAKE_DEFAULTS, initial);
  let state = createRunState(settings);
  let stats = emptyStats();
  const timers = new Set<NodeJS.Timeout>();
  let requestCounter = 0;
  let closing: Promise<void> | undefined;
  const resetByFake = new WeakSet<ServerResponse>();

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const count = (outcome: string) => {
    stats.byOutcome[outcome] = (stats.byOutcome[outcome] ?? 0) + 1;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    count(String(status));
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const serveFault = (
    req: IncomingMessage,
    res: ServerResponse,
    fault: Fault,
    requestId: string,
    body: unknown,
  ) => {
    switch (fault.kind) {
      case 'hang':
        count('hang');
        return;
      case 'reset':
        count('reset');
        resetByFake.add(res);
        req.socket.resetAndDestroy();
        return;
      case 'redirect': {
        const status = fault.status ?? 307;
        count(String(status));
        const location = new URL(req.url ?? '/', fault.location).toString();
        res.writeHead(status, { location, 'content-length': 0, 'request-id': requestId });
        res.end();
        return;
      }
      case 'long_prompt': {
        if (!isAgentConfig(body)) return send(res, 200, body, { 'request-id': requestId });
        count('200');
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
        // With backpressure: a client that stops reading leaves the rest unwritten, as on a real socket.
        pipeline(Readable.from(chunksOf(JSON.stringify(withPromptOfSize(body, fault.bytes)))), res).catch(
          () => undefined,
        );
        return;
      }
      case 'malformed_json':
      case 'stall_body': {
        count(fault.kind === 'stall_body' ? 'stall_body' : '200');
        const text = JSON.stringify(body);
        const half = text.slice(0, Math.floor(text.length / 2));
        const length = Buffer.byteLength(fault.kind === 'stall_body' ? text : half);
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': length,
          'request-id': requestId,
        });
        if (fault.kind === 'stall_body') res.write(half);
        else res.end(half);
        return;
      }
      case 'status':
      case 'rate_limit': {
        const status = fault.kind === 'status' ? fault.status : 429;
        const code = fault.kind === 'rate_limit' ? (fault.code ?? 'rate_limit_exceeded') : undefined;
        const headers: Record<string, string> = { 'request-id': requestId };
        if (fault.retryAfterSeconds !== undefined) {
          headers['retry-after'] = formatRetryAfter(fault.retryAfterSeconds, fault.retryAfterFormat);
        }
        if (code === 'concurrent_limit_exceeded') {
          Object.assign(headers, concurrencyHeaders(stats.inFlight, settings.concurrencyLimit));
        }
        send(res, status, errorBody(status, requestId, code), headers);
        return;
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const requestId = `req_fake_${(++requestCounter).toString(36).padStart(8, '0')}`;
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = matchRoute(url.pathname);
    if (!route) return send(res, 404, errorBody(404, requestId, 'not_found', `No route ${url.pathname}`));
    if (req.method !== 'GET') return send(res, 405, errorBody(405, requestId));
    if (req.headers['xi-api-key'] !== settings.apiKey) {
      return send(res, 401, errorBody(401, requestId, 'invalid_api_key', 'Invalid API key'), {
        'request-id': requestId,
      });
    }
    if (stats.inFlight >= settings.concurrencyLimit) {
      const headers = {
        'request-id': requestId,
        ...concurrencyHeaders(stats.inFlight, settings.concurrencyLimit),
      };
      return send(res, 429, errorBody(429, requestId, 'concurrent_limit_exceeded'), headers);
    }
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.once('close', () => {
      stats.inFlight--;
      if (!res.writableFinished && !resetByFake.has(res)) stats.clientAborts++;
    });

    const scopeKey = route.kind === 'agent' ? route.agentId : 'list';
    const nth = (state.requestsByScope.get(scopeKey) ?? 0) + 1;
    state.requestsByScope.set(scopeKey, nth);
    if (route.kind === 'agent') stats.byAgent[route.agentId] = (stats.byAgent[route.agentId] ?? 0) + 1;
    const random = randomFor(settings.seed, scopeKey, nth);
    const agentScope = route.kind === 'agent' ? state.agentScopes.get(route.agentId) : undefined;
    const fault = agentScope?.next(random) ?? state.runScope.next(random);
    const latency = agentScope?.plan.latency ?? settings.faults.latency ?? settings.latency;
    await delay(drawLatency(latency, random));

    if (route.kind === 'list') {
      const query = parseListQuery(url.searchParams);
      if (Array.isArray(query)) return send(res, 422, { detail: query }, { 'request-id': requestId });
      const page = listPage(state.summaries, query);
      return fault
        ? serveFault(req, res, fault, requestId, page)
        : send(res, 200, page, { 'request-id': requestId });
    }
    if (!FAKE_AGENT_ID_PATTERN.test(route.agentId)) {
      const message = `Agent with id ${route.agentId} not found`;
      return send(res, 404, errorBody(404, requestId, 'agent_not_found', message), {
        'request-id': requestId,
      });
    }
    const config = fakeAgentConfig(route.agentId, state.namesById.get(route.agentId));
    if (fault) return serveFault(req, res, fault, requestId, config);
    send(res, 200, config, { 'request-id': requestId });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, errorBody(500, 'req_fake_error', 'internal_server_error', String(error)));
    });
  });
  server.listen(port, host);
  await once(server, 'listening');
  const { port: boundPort } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${boundPort}`,
    get apiKey() {
      return settings.apiKey;
    },
    configure(changes) {
      settings = resolveSettings(settings, changes);
      state = createRunState(settings);
    },
    stats: () => ({ ...stats, byAgent: { ...stats.byAgent }, byOutcome: { ...stats.byOutcome } }),
    resetStats() {
      stats = { ...emptyStats(), inFlight: stats.inFlight, maxInFlight: stats.inFlight };
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface RunState {
  runScope: FaultScope;
  agentScopes: Map<string, FaultScope>;
  requestsByScope: Map<string, number>;
  summaries: FakeAgentSummary[];
  namesById: Map<string, string>;
}

function createRunState(settings: ResolvedSettings): RunState {
  const summaries = settings.agents.map(summarize);
  return {
    runScope: new FaultScope(settings.faults),
    agentScopes: new Map(
      Object.entries(settings.agentFaults).map(([id, plan]) => [id, new FaultScope(plan)]),
    ),
    requestsByScope: new Map(),
    summaries,
    namesById: new Map(summaries.map((s) => [s.agent_id, s.name])),
  };
}

function emptyStats(): FakeElevenLabsStats {
  return { requests: 0, inFlight: 0, maxInFlight: 0, byAgent: {}, byOutcome: {}, clientAborts: 0 };
}

function isAgentConfig(body: unknown): body is FakeAgentConfig {
  return typeof (body as Partial<FakeAgentConfig>).conversation_config === 'object';
}

/** `config` with its system prompt lengthened (a long prompt is what makes real configs large) to `bytes` of JSON. */
function withPromptOfSize(config: FakeAgentConfig, bytes: number): FakeAgentConfig {
  const padding = Math.max(0, bytes - Buffer.byteLength(JSON.stringify(config)));
  const agent = config.conversation_config.agent;
  const prompt = { ...agent.prompt, prompt: agent.prompt.prompt + ' '.repeat(padding) };
  return { ...config, conversation_config: { ...config.conversation_config, agent: { ...agent, prompt } } };
}

function* chunksOf(text: string, size = 64 * 1024): Generator<string> {
  for (let start = 0; start < text.length; start += size) yield text.slice(start, start + size);
}

function matchRoute(pathname: string): Route | undefined {
  if (pathname === LIST_PATH) return { kind: 'list' };
  const match = AGENT_PATH.exec(pathname);
  return match ? { kind: 'agent', agentId: decodeURIComponent(match[1] as string) } : undefined;
}

/** Without a configured limit there is no true maximum to state, so that header is left out. */
function concurrencyHeaders(current: number, limit: number): Record<string, string> {
  const headers: Record<string, string> = { 'current-concurrent-requests': String(current) };
  if (Number.isFinite(limit)) headers['maximum-concurrent-requests'] = String(limit);
  return headers;
}

function formatRetryAfter(seconds: number, format: 'seconds' | 'http-date' = 'seconds'): string {
  return format === 'seconds' ? String(seconds) : new Date(Date.now() + seconds * 1000).toUTCString();
}
