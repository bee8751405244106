import { type FakeElevenLabs, startFakeElevenLabs } from '@perfkit/external/fake';
import { SEED_ANCHOR, type SeedManifest, seedDatabase } from '@perfkit/queries';
import { createTestSchema, type TestSchema } from '@perfkit/queries/testing';
import type { Mode } from '../../src/modes/modes.js';
import { type RunningApp, startServer } from '../../src/server.js';

/** A response with its parsed JSON body. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** Options of one request made by a {@link TestApp}. */
export interface RequestOptions {
  /** API key sent as a Bearer token; `null` sends none. Default: the heavy tenant's key. */
  key?: string | null;
  method?: string;
  /** Sent as JSON (a string is sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** The naive app on a fresh `tiny` seed in its own schema, with an instant fake ElevenLabs. */
export interface TestApp {
  app: RunningApp;
  schema: TestSchema;
  manifest: SeedManifest;
  fake: FakeElevenLabs;
  /** The heavy tenant's API key. */
  key: string;
  /** The heavy tenant's agent with the lowest id. */
  heavyAgentId: number;
  /** A seeded user other than the heavy tenant, with agents. */
  otherUser: SeedManifest['users'][number];
  request<T = unknown>(path: string, options?: RequestOptions): Promise<JsonResponse<T>>;
  close(): Promise<void>;
}

/**
 * Builds a {@link TestApp}: schema, `tiny` seed, fake ElevenLabs without
 * latency, the app on port 0 with "now" at the seed's anchor.
 *
 * @example
 * const t = await startTestApp('overview');
 * afterAll(() => t.close());
 */
export async function startTestApp(label: string, options: { mode?: Mode } = {}): Promise<TestApp> {
  const schema = await createTestSchema(`app_${label}`);
  const manifest = await seedDatabase(schema.db, { scale: 'tiny' });
  const fake = await startFakeElevenLabs({ latency: { kind: 'none' } });
  const app = await startServer(
    {
      databaseUrl: schema.connectionString,
      port: 0,
      mode: options.mode ?? 'naive',
      elevenLabsBaseUrl: fake.url,
      elevenLabsApiKey: fake.apiKey,
      now: SEED_ANCHOR,
      logLevel: 'silent',
    },
    { poolSize: 4 },
  );
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
    heavyAgentId: heavyAgent.id,
    otherUser,
    app,
    schema,
    manifest,
    fake,
    key,
    async request<T>(path: string, request: RequestOptions = {}) {
      const headers: Record<string, string> = { ...request.headers };
      const apiKey = request.key === undefined ? key : request.key;
      if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
      let body: string | undefined;
      if (request.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      }
      const response = await fetch(`${app.url}${path}`, { method: request.method ?? 'GET', headers, body });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, text, body: parsed as T };
    },
    async close() {
      await app.close();
      await fake.close();
      await schema.drop();
    },
  };
}
