import { CacheSerializationError } from './errors.js';

// Tags chosen so that ordinary JSON data never collides with them by accident.
const DATE_TAG = '$perfkit:date';
const BIGINT_TAG = '$perfkit:bigint';
const TAG_MARKER = '"$perfkit:';

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // `this[key]` is the value before `Date.prototype.toJSON` turned it into a string.
  const original = this[key];
  if (original instanceof Date) return { [DATE_TAG]: original.getTime() };
  if (typeof value === 'bigint') return { [BIGINT_TAG]: value.toString() };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (typeof record[DATE_TAG] === 'number') return new Date(record[DATE_TAG]);
  if (typeof record[BIGINT_TAG] === 'string') return BigInt(record[BIGINT_TAG]);
  return value;
}

/**
 * Serializes a value as JSON in which `Date` and `BigInt` survive the round trip.
 *
 * @example
 * encodeValue({ at: new Date(0), n: 1n }, 'k'); // '{"at":{"$perfkit:date":0},"n":{"$perfkit:bigint":"1"}}'
 */
export function encodeValue(value: unknown, key: string): string {
  try {
    return JSON.stringify(value, replacer) ?? 'null';
  } catch (error) {
    throw new CacheSerializationError(key, error);
  }
}

/**
 * Parses what `encodeValue` produced and deep-freezes the result, so it can be shared by reference.
 *
 * @example
 * decodeValue<{ at: Date }>('{"at":{"$perfkit:date":0}}').at instanceof Date; // true
 */
export function decodeValue<T>(text: string): T {
  // The reviver costs about 2x; skip it when no tagged value can be present.
  const parsed = text.includes(TAG_MARKER) ? JSON.parse(text, reviver) : JSON.parse(text);
  return deepFreeze(parsed) as T;
}

function deepFreeze(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
