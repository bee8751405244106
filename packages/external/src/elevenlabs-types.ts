/**
 * An agent's configuration as `GET /v1/convai/agents/{agent_id}` returns it: the fields a dashboard
 * reads are typed; the API sends more.
 *
 * @example
 * const language = config.conversation_config.agent?.language;
 */
export interface AgentConfig {
  agent_id: string;
  name: string;
  conversation_config: {
    agent?: {
      first_message?: string;
      language?: string;
      prompt?: { prompt?: string; llm?: string; temperature?: number };
    };
    tts?: { voice_id?: string; model_id?: string };
  };
  metadata: { created_at_unix_secs: number; updated_at_unix_secs?: number };
  platform_settings?: Record<string, unknown>;
  phone_numbers?: unknown[];
  tags?: string[];
  version_id?: string | null;
}

/** One item of `GET /v1/convai/agents`. */
export interface AgentSummary {
  agent_id: string;
  name: string;
  tags: string[];
  created_at_unix_secs: number;
  last_call_time_unix_secs?: number | null;
  archived?: boolean;
}

/** One page of `GET /v1/convai/agents`. */
export interface AgentListPage {
  agents: AgentSummary[];
  next_cursor: string | null;
  has_more: boolean;
}
