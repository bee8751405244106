import { randomBytes } from 'node:crypto';
import { type FakeElevenLabs, startFakeElevenLabs } from '@perfkit/external/fake';
import { SEED_ANCHOR, type SeedManifest, type SeedScale } from '@perfkit/queries/admin';
import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { type AppConfig, loadConfig, type Mode } from '../../src/config.js';
import { seedAndRollUp } from '../../src/database-setup.js';
import { type RunningApp, type StartOptions, startServer } from '../../src/server.js';

/** Both modes, for suites that hold them to one contract. */
export const MODES: readonly Mode[] = ['naive', 'optimized'];

/** Redis of the test machines (override with `REDIS_URL`). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A response with its parsed JSON body. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** Options of one request made by {@link requestJson}. */
export interface RequestOptions {
  /** API key sent as a Bearer token; `null` sends none. */
  key?: string | null;
  method?: string;
  /** Sent as JSON (a string is sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Aborts the request (a client that gives up and retries). */
  signal?: AbortSignal;
}

/**
 * One request to a running app, its body parsed as JSON when it is JSON.
 *
 * @example
 * const response = await requestJson(app.url, '/api/agents', { key });
 */
export async function requestJson<T = unknown>(
  baseUrl: string,
  path: string,
  request: RequestOptions = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.key) headers.authorization = `Bearer ${request.key}`;
  let body: string | undefined;
  if (request.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method: request.method ?? 'GET',
    headers,
    body,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed as T };
}

/** A seeded, rolled-up schema and an instant fake ElevenLabs that several apps can share. */
export interface TestData {
  schema: TestSchema;
  manifest: SeedManifest;
  fake: FakeElevenLabs;
  close(): Promise<void>;
}

/**
 * A fresh schema with the `scale` seed and its full rollup, and a fake
 * ElevenLabs without latency.
 *
 * @example
 * const data = await seedTestData('differential', 'small');
 */
export async function seedTestData(label: string, scale: SeedScale = 'tiny'): Promise<TestData> {
  const schema = await createTestSchema(`app_${label}`);
  const manifest = await seedAndRollUp(schema.db, scale);
  const fake = await startFakeElevenLabs({ latency: { kind: 'none' } });
  return {
    schema,
    manifest,
    fake,
    async close() {
      await fake.close();
      await schema.drop();
    },
  };
}

/** Options of {@link startAppOn} and {@link startTestApp}. */
export interface TestAppOptions {
  mode?: Mode;
  /** Configuration on top of the test defaults (e.g. `{ redisUrl: TEST_REDIS_URL }`). */
  config?: Partial<AppConfig>;
  start?: StartOptions;
}

/**
 * The app on port 0 over `data`, with "now" at the seed's anchor, silent
 * logs, and (with Redis) a key prefix of its own data set, so test files
 * never share cache entries.
 *
 * @example
 * const optimized = await startAppOn(data, { mode: 'optimized' });
 */
export function startAppOn(data: TestData, options: TestAppOptions = {}): Promise<RunningApp> {
  const config: AppConfig = {
    ...loadConfig({ LOG_LEVEL: 'silent' }),
    databaseUrl: data.schema.connectionString,
    port: 0,
    mode: options.mode ?? 'naive',
    elevenLabsBaseUrl: data.fake.url,
    elevenLabsApiKey: data.fake.apiKey,
    now: SEED_ANCHOR,
    poolSize: 4,
    shutdownGraceMs: 1_000,
    // Tests share a busy machine: shedding stays off unless a test is about it.
    shedEventLoopDelayMs: 0,
    ...options.config,
  };
  return startServer(config, {
    ...options.start,
    optimized: { redisPrefix: `test:${data.schema.schema}:`, ...options.start?.optimized },
  });
}

/** One app on its own `tiny` data set, with the heavy tenant's key as the default. */
export interface TestApp extends TestData {
  app: RunningApp;
  /** The heavy tenant's API key. */
  key: string;
  /** The heavy tenant's agent with the lowest id. */
  heavyAgentId: number;
  /** A seeded user other than the heavy tenant, with agents. */
  otherUser: SeedManifest['users'][number];
  /** A request as the heavy tenant unless `key` says otherwise. */
  request<T = unknown>(path: string, options?: RequestOptions): Promise<JsonResponse<T>>;
}

/**
 * Builds a {@link TestApp}: schema, `tiny` seed and rollup, fake ElevenLabs
 * without latency, the app in `mode` on port 0 with "now" at the seed's anchor.
 *
 * @example
 * const t = await startTestApp('overview', { mode: 'optimized' });
 * afterAll(() => t.close());
 */
export async function startTestApp(label: string, options: TestAppOptions = {}): Promise<TestApp> {
  const data = await seedTestData(`${label}_${options.mode ?? 'naive'}_${randomBytes(2).toString('hex')}`);
  const app = await startAppOn(data, options).catch(async (error: unknown) => {
    await data.close();
    throw error;
  });
  const { manifest, schema } = data;
  const key = manifest.heavyUser.apiKey;
  const heavyAgent = await schema.db
    .selectFrom('agents')
    .select('id')
    .where('user_id', '=', manifest.heavyUser.id)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const otherUser = manifest.users.find((user) => user.id !== manifest.heavyUser.id && user.agents > 0);
  if (!otherUser) throw new Error('the tiny seed has no second user with agents');
  return {
    ...data,
    app,
    key,
    heavyAgentId: heavyAgent.id,
    otherUser,
    request: (path, request = {}) =>
      requestJson(app.url, path, { ...request, key: request.key === undefined ? key : request.key }),
    async close() {
      await app.close();
      await data.close();
    },
  };
}
