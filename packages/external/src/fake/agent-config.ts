import { pick, randomFor } from './random.js';

/**
 * Agent ids the fake knows: `agent_` and 26 lowercase letters or digits, like real ElevenLabs ids.
 *
 * @example
 * FAKE_AGENT_ID_PATTERN.test(fakeAgentId('x')); // true
 */
export const FAKE_AGENT_ID_PATTERN = /^agent_[a-z0-9]{26}$/;

/** The body of `GET /v1/convai/agents/{agent_id}`, limited to the fields a dashboard reads and their neighbours. */
export interface FakeAgentConfig {
  agent_id: string;
  name: string;
  conversation_config: {
    agent: {
      first_message: string;
      language: string;
      prompt: { prompt: string; llm: string; temperature: number };
    };
    tts: { voice_id: string; model_id: string };
  };
  metadata: { created_at_unix_secs: number; updated_at_unix_secs: number };
  platform_settings: { widget: { variant: string }; call_limits: { agent_concurrency_limit: number } };
  phone_numbers: Array<{
    phone_number: string;
    provider: 'twilio';
    label: string;
    phone_number_id: string;
    supports_inbound: boolean;
    supports_outbound: boolean;
  }>;
  tags: string[];
  version_id: string;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const NAMES = ['Ava', 'Leo', 'Maya', 'Noah', 'Iris', 'Omar', 'Zoe', 'Ravi', 'Lena', 'Theo'];
const ROLES = ['Sales', 'Support', 'Booking', 'Follow-up', 'Qualification', 'Renewals'];
const LANGUAGES = ['en', 'es', 'fr', 'de', 'pt', 'it'];
const LLMS = ['gpt-4o-mini', 'gpt-4o', 'claude-3-5-sonnet', 'gemini-2.0-flash'];
const VOICES = [
  '21m00Tcm4TlvDq8ikWAM',
  'EXAVITQu4vr4xnSDxMaL',
  'TxGEqnHWrfWFTfGW9XjX',
  'pNInz6obpgDQGcFmaJgB',
];
const TTS_MODELS = ['eleven_turbo_v2_5', 'eleven_flash_v2_5', 'eleven_multilingual_v2'];
const TAGS = ['outbound', 'inbound', 'priority', 'pilot', 'b2b', 'b2c'];
/** 2025-01-01T00:00:00Z: configs are created in the year that follows. */
const EPOCH_SECS = 1_735_689_600;
const YEAR_SECS = 365 * 24 * 3600;

/**
 * A valid fake agent id derived from any label, the same on every run.
 *
 * @example
 * fakeAgentId('user-1/agent-3'); // 'agent_…' (26 characters after the prefix)
 */
export function fakeAgentId(label: string): string {
  const random = randomFor('agent-id', label);
  let suffix = '';
  for (let i = 0; i < 26; i++) suffix += pick(random, [...ALPHABET]);
  return `agent_${suffix}`;
}

/**
 * The configuration the fake serves for `agentId`, derived from the id alone.
 *
 * @example
 * fakeAgentConfig(fakeAgentId('a')).conversation_config.agent.language; // e.g. 'en'
 */
export function fakeAgentConfig(agentId: string, name?: string): FakeAgentConfig {
  const random = randomFor('agent-config', agentId);
  const agentName = name ?? `${pick(random, NAMES)} – ${pick(random, ROLES)}`;
  const createdAt = EPOCH_SECS + Math.floor(random() * YEAR_SECS);
  const updatedAt = createdAt + Math.floor(random() * 30 * 24 * 3600);
  const phoneDigits = String(Math.floor(random() * 1e7)).padStart(7, '0');
  return {
    agent_id: agentId,
    name: agentName,
    conversation_config: {
      agent: {
        first_message: `Hi, this is ${agentName.split(' ')[0]}. Do you have a minute?`,
        language: pick(random, LANGUAGES),
        prompt: {
          prompt: `You are ${agentName}, a friendly voice agent. Qualify the lead and book a follow-up.`,
          llm: pick(random, LLMS),
          temperature: Math.round(random() * 100) / 100,
        },
      },
      tts: { voice_id: pick(random, VOICES), model_id: pick(random, TTS_MODELS) },
    },
    metadata: { created_at_unix_secs: createdAt, updated_at_unix_secs: updatedAt },
    platform_settings: {
      widget: { variant: pick(random, ['compact', 'full']) },
      call_limits: { agent_concurrency_limit: pick(random, [-1, 5, 10]) },
    },
    phone_numbers: [
      {
        phone_number: `+1555${phoneDigits}`,
        provider: 'twilio',
        label: 'main',
        phone_number_id: `phnum_${agentId.slice(6, 32)}`,
        supports_inbound: true,
        supports_outbound: true,
      },
    ],
    tags: TAGS.filter(() => random() < 0.3),
    version_id: `ver_${agentId.slice(6, 18)}`,
  };
}
