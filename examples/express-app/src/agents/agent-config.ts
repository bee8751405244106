import type { AgentConfig } from '../contract/response-bodies.js';
import type { ElevenLabsSettings } from '../modes/app-mode.js';

/** The fields of ElevenLabs' `GET /v1/convai/agents/{agent_id}` body that the dashboard shows. */
export interface ElevenLabsAgentBody {
  name?: unknown;
  conversation_config?: {
    agent?: {
      first_message?: unknown;
      language?: unknown;
      prompt?: { prompt?: unknown; llm?: unknown; temperature?: unknown };
    };
    tts?: { voice_id?: unknown; model_id?: unknown };
  };
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The contract's `config` from an ElevenLabs agent body; a missing or
 * mistyped field becomes `null` rather than failing the whole agent.
 *
 * @example
 * toAgentConfig(await response.json()).language; // 'en'
 */
export function toAgentConfig(body: ElevenLabsAgentBody): AgentConfig {
  const agent = body.conversation_config?.agent;
  const tts = body.conversation_config?.tts;
  const temperature = agent?.prompt?.temperature;
  return {
    name: text(body.name),
    firstMessage: text(agent?.first_message),
    language: text(agent?.language),
    prompt: text(agent?.prompt?.prompt),
    llm: text(agent?.prompt?.llm),
    temperature: typeof temperature === 'number' && Number.isFinite(temperature) ? temperature : null,
    voiceId: text(tts?.voice_id),
    ttsModelId: text(tts?.model_id),
  };
}

/** How long the naive fetch waits for one agent before giving up. */
export const NAIVE_ELEVENLABS_TIMEOUT_MS = 30_000;

/**
 * One agent's config fetched the way the platform does it today: a plain
 * `fetch`, no retry, no concurrency, no cache. Any failure yields `null`.
 *
 * @example
 * const config = await fetchAgentConfigOnce(settings, 'agent_…');
 */
export async function fetchAgentConfigOnce(
  settings: ElevenLabsSettings,
  elevenlabsAgentId: string,
): Promise<AgentConfig | null> {
  const url = `${settings.baseUrl}/v1/convai/agents/${encodeURIComponent(elevenlabsAgentId)}`;
  const response = await fetch(url, {
    headers: { 'xi-api-key': settings.apiKey, accept: 'application/json' },
    signal: AbortSignal.timeout(NAIVE_ELEVENLABS_TIMEOUT_MS),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`ElevenLabs answered ${response.status} for ${elevenlabsAgentId}`);
  }
  return toAgentConfig((await response.json()) as ElevenLabsAgentBody);
}
