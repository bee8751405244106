import { ElevenLabsClient as OfficialClient } from '@elevenlabs/elevenlabs-js';
import type { CacheLike } from '@perfkit/external';
import { ElevenLabsClient } from '@perfkit/external';
import pLimit from 'p-limit';

/** Where the fake listens. */
export interface FakeEndpoint {
  url: string;
  apiKey: string;
}

/** What one batch of 50 configs gave. */
export interface BatchResult {
  failures: number;
}

/** The naive app's way: one `fetch` after another, no retry. */
export async function oneByOne(fake: FakeEndpoint, ids: readonly string[]): Promise<BatchResult> {
  let failures = 0;
  for (const id of ids) {
    try {
      const response = await fetch(`${fake.url}/v1/convai/agents/${id}`, {
        headers: { 'xi-api-key': fake.apiKey },
      });
      if (!response.ok) failures++;
      await response.json();
    } catch {
      failures++;
    }
  }
  return { failures };
}

/** Our client, cold: a new client, no cache, `getAgents` at concurrency 16. */
export async function oursCold(fake: FakeEndpoint, ids: readonly string[]): Promise<BatchResult> {
  const client = new ElevenLabsClient({ apiKey: fake.apiKey, baseUrl: fake.url, concurrency: 16 });
  const results = await client.getAgents(ids);
  return { failures: results.filter((r) => !r.ok).length };
}

/** The official SDK, limited to the same 16 requests in flight. */
export async function officialSdk(fake: FakeEndpoint, ids: readonly string[]): Promise<BatchResult> {
  const client = new OfficialClient({ apiKey: fake.apiKey, baseUrl: fake.url });
  const limit = pLimit(16);
  const outcomes = await Promise.allSettled(
    ids.map((id) => limit(() => client.conversationalAi.agents.get(id))),
  );
  return { failures: outcomes.filter((o) => o.status === 'rejected').length };
}

/** A client for deadline mode with its own cache. */
export function deadlineClient(fake: FakeEndpoint, cache: CacheLike): ElevenLabsClient {
  return new ElevenLabsClient({ apiKey: fake.apiKey, baseUrl: fake.url, concurrency: 16, cache });
}

/** The smallest real cache: a Map with write times, enough for the client's port. */
export class MapCache implements CacheLike {
  readonly #entries = new Map<string, { value: unknown; at: number }>();

  async getOrSet<T>(key: string, loader: () => Promise<T>): Promise<T> {
    if (this.#entries.has(key)) return this.#entries.get(key)?.value as T;
    const value = await loader();
    await this.set(key, value);
    return value;
  }

  async peek<T>(key: string): Promise<{ value: T; ageMs: number } | undefined> {
    const entry = this.#entries.get(key);
    return entry && { value: entry.value as T, ageMs: Date.now() - entry.at };
  }

  async set<T>(key: string, value: T): Promise<void> {
    this.#entries.set(key, { value, at: Date.now() });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }
}
