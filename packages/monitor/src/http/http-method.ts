// The methods of RFC 9110 and RFC 5789, as OpenTelemetry's http.request.method
// lists them; anything else would let a client mint new series.
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/**
 * The method label for unknown methods, after OpenTelemetry.
 *
 * @example
 * ```ts
 * monitor.snapshot().routes.filter((r) => r.method === OTHER_METHOD);
 * ```
 */
export const OTHER_METHOD = '_OTHER';

/** Returns the method itself when it is a known one, else `_OTHER`. */
export function normalizeMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
}
