import { someCause } from '@perfkit/primitives';

// What node-postgres reports when there is no usable connection. pg and pg-pool give these no code, so the
// messages are matched here, in the one place that knows the driver.
const DRIVER_MESSAGES =
  /Connection terminated|is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|Query read timeout/i;

// Socket errors of a connection that could not open or broke.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// SQLSTATE: connection exception (class 08), the server shutting down or starting (57P01–57P03), no
// connection slot free (53300).
const SQL_STATES = /^(08...|57P0[123]|53300)$/;

/**
 * Whether an error (or one of its `cause`s) means PostgreSQL could not be reached or the connection was
 * lost: refused, reset, terminated by the server, a pool or client that is closed or broken ("not
 * queryable"), no connection within the pool's `connectionTimeoutMillis`, no answer within its
 * `query_timeout` (`queryTimeoutMs`: a hung connection), or the server refusing
 * connections (shutting down, starting, too many clients). A query the database rejected is not one.
 *
 * @example
 * if (isConnectionError(error)) res.status(503).set('Retry-After', '1');
 */
export function isConnectionError(error: unknown): boolean {
  return someCause(error, isConnectionFailure);
}

function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    (typeof code === 'string' && (SOCKET_CODES.has(code) || SQL_STATES.test(code))) ||
    (typeof message === 'string' && DRIVER_MESSAGES.test(message))
  );
}
