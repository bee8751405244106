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
  const parsed: unknown = text.includes(TAG_MARKER) ? JSON.parse(text, reviver) : JSON.parse(text);
  if (typeof parsed === 'object' && parsed !== null) deepFreeze(parsed, inheritsEnumerable());
  return parsed as T;
}

const EMPTY = Object.freeze({});

/** True if something made a property of `Object.prototype` enumerable, so that for…in would list it. */
function inheritsEnumerable(): boolean {
  for (const _ in EMPTY) return true;
  return false;
}

// JSON.parse builds a tree (no object reached twice) of plain objects and arrays; a revived Date has no keys
// of its own. So: no Object.isFrozen check, and for…in instead of Object.values or Object.keys, which
// allocate on every call; an L2 read freezes every object of its value. Only if a prototype has an
// enumerable property does for…in need the own-key check, so that nothing of someone else's is frozen.
function deepFreeze(value: object, checkOwn: boolean): void {
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === 'object' && child !== null) deepFreeze(child, checkOwn);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (checkOwn && !Object.hasOwn(record, key)) continue;
    const child = record[key];
    if (typeof child === 'object' && child !== null) deepFreeze(child, checkOwn);
  }
}
