/**
 * A URL safe to print: the password (and a user name that could be a token)
 * masked, query values of credential-like parameters masked. Anything that
 * does not parse is not printed at all.
 *
 * @example
 * redactUrl('postgres://app:s3cret@db:5432/platform'); // 'postgres://app:***@db:5432/platform'
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparseable URL>';
  }
  if (parsed.password) parsed.password = '***';
  else if (parsed.username && parsed.protocol.startsWith('http')) parsed.username = '***';
  for (const name of [...parsed.searchParams.keys()]) {
    if (/token|key|secret|pass|auth|sig/i.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}
