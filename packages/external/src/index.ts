export { type Clock, type Duration, systemClock } from '@perfkit/primitives';
export type { CacheLike, CacheWriteOptions } from './cache-like.js';
export type { BreakerState } from './circuit-breaker.js';
export type {
  AttemptEvent,
  BreakerEvent,
  ClientEventListener,
  ConcurrencyEvent,
  ElevenLabsClientEvents,
  FailureEvent,
} from './client-events.js';
export type { ElevenLabsClientOptions, ExternalLogger } from './client-options.js';
export { CLIENT_DEFAULTS } from './client-options.js';
export type { AgentConfigEntry, ConfigStatus } from './deadline-mode.js';
export type { AgentResult, CallOptions, ListAgentsOptions } from './elevenlabs-client.js';
export { ElevenLabsClient } from './elevenlabs-client.js';
export type { AgentConfig, AgentListPage, AgentSummary } from './elevenlabs-types.js';
export type { ExternalErrorCode, ExternalErrorContext } from './errors.js';
export {
  AbortedError,
  AttemptTimeoutError,
  CircuitOpenError,
  DeadlineExceededError,
  ElevenLabsHttpError,
  ElevenLabsNetworkError,
  ExternalError,
  InvalidArgumentError,
  InvalidInputError,
  MalformedResponseError,
  ResponseTooLargeError,
  RetriesExhaustedError,
} from './errors.js';
