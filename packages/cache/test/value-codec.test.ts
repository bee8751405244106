import { describe, expect, it } from 'vitest';
import { CacheSerializationError } from '../src/errors.js';
import { decodeValue, encodeValue } from '../src/value-codec.js';

describe('value codec', () => {
  it('round-trips Date and BigInt, nested and at the top level', () => {
    const value = { at: new Date(1_700_000_000_123), big: 2n ** 70n, list: [new Date(0), 1n], plain: 'x' };
    expect(decodeValue(encodeValue(value, 'k'))).toEqual(value);
    expect(decodeValue(encodeValue(new Date(5), 'k'))).toEqual(new Date(5));
    expect(decodeValue(encodeValue(7n, 'k'))).toBe(7n);
  });

  it('deep-freezes decoded values so a reader cannot change what others read', () => {
    const decoded = decodeValue<{ nested: { list: number[] } }>(encodeValue({ nested: { list: [1] } }, 'k'));
    expect(Object.isFrozen(decoded)).toBe(true);
    expect(Object.isFrozen(decoded.nested.list)).toBe(true);
    expect(() => decoded.nested.list.push(2)).toThrow(TypeError);
  });

  it('freezes nothing but the decoded value, even when a prototype carries an enumerable property', () => {
    const foreign = { mutable: true };
    Object.defineProperty(Object.prototype, 'polluted', {
      value: foreign,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    let decoded: { nested: { list: number[] } };
    try {
      decoded = decodeValue(encodeValue({ nested: { list: [1] } }, 'k'));
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
    expect(Object.isFrozen(decoded.nested.list)).toBe(true);
    expect(Object.isFrozen(foreign)).toBe(false);
  });

  it('reports a value that cannot be serialized with its key', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeValue(cyclic, 'user:1')).toThrow(CacheSerializationError);
  });
});
