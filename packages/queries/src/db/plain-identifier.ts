// Lower-case letters, digits and _, not starting with a digit, at most 63 characters (PostgreSQL's
// NAMEDATALEN - 1): such a name reads the same quoted or not, so it goes into `SET search_path` and
// `CREATE INDEX` as it is, with nothing to quote.
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Whether `name` is a plain identifier: what the index engine and a schema
 * option accept for names that go into SQL as they are.
 *
 * @example
 * isPlainIdentifier('tenant_a'); // true
 * isPlainIdentifier('x"; DROP TABLE t; --'); // false
 */
export function isPlainIdentifier(name: string): boolean {
  return PLAIN_IDENTIFIER.test(name);
}
