import { InvalidOptionError } from '../errors.js';

// What node-postgres reads as a connection string: a URL, a `socket:` URL or a socket directory.
// Anything else it resolves against a placeholder host named "base" (`notaurl` becomes database
// "notaurl" on host "base"), and the DNS error that follows names neither.
const CONNECTION_STRING = /^(?:postgres(?:ql)?:\/\/|socket:|\/)/i;

/**
 * The connection string, or an {@link InvalidOptionError} naming `option`
 * when it is not a PostgreSQL URL — checked before anything connects.
 *
 * @example
 * checkDatabaseUrl('postgresql://postgres@127.0.0.1:5432/app', 'connectionString') // returned as is
 * checkDatabaseUrl('notaurl', '--database-url') // throws "--database-url is not a PostgreSQL URL: …"
 */
export function checkDatabaseUrl(url: string, option: string): string {
  if (CONNECTION_STRING.test(url)) return url;
  throw new InvalidOptionError(
    option,
    'is not a PostgreSQL URL: expected postgresql://user[:password]@host[:port]/database',
  );
}
