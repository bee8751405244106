import { CacheBusMessageError } from '../errors.js';
import type { BusMessage } from './cache-bus.js';

const KINDS: ReadonlySet<unknown> = new Set<BusMessage['kind']>(['keys', 'tags', 'clear']);

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The first thing wrong with a parsed message, or `undefined` if it is a `BusMessage`. */
function problemOf(m: Record<string, unknown>): string | undefined {
  if (typeof m.namespace !== 'string') return 'namespace must be a string';
  if (!isNonEmptyString(m.origin)) return 'origin must be a non-empty string';
  if (!Number.isSafeInteger(m.seq) || (m.seq as number) < 1) return 'seq must be a positive integer';
  if (!KINDS.has(m.kind)) return "kind must be 'keys', 'tags' or 'clear'";
  if (!Array.isArray(m.items) || !m.items.every(isNonEmptyString)) {
    return 'items must be an array of non-empty strings';
  }
  return undefined;
}

/**
 * Decodes one raw message from a bus channel. Anyone with access to the
 * channel can publish anything on it, so nothing is trusted: a message that is
 * not exactly a `BusMessage` comes back as a `CacheBusMessageError` naming the
 * first problem, never as an exception.
 *
 * @example
 * const decoded = decodeBusMessage(raw);
 * if (decoded instanceof CacheBusMessageError) report(decoded); else apply(decoded);
 */
export function decodeBusMessage(raw: string): BusMessage | CacheBusMessageError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return new CacheBusMessageError('not JSON', raw);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return new CacheBusMessageError('not a JSON object', raw);
  }
  const m = parsed as Record<string, unknown>;
  const problem = problemOf(m);
  if (problem !== undefined) return new CacheBusMessageError(problem, raw);
  return {
    namespace: m.namespace as string,
    origin: m.origin as string,
    seq: m.seq as number,
    kind: m.kind as BusMessage['kind'],
    items: m.items as string[],
  };
}
