/** What a redacted secret is replaced with. */
export const REDACTED = '***';

/** Query parameters whose values are treated as secrets: `token`, `api_key`, `apiKey`, `client_secret`, `password`, `X-Amz-Signature` … */
const SECRET_PARAMETER = /token|key|secret|passw(?:or)?d|pwd|auth|signature|credential|session/i;

/**
 * A URL fit for reports and messages: the password, the user name (unless
 * `keepUsername` — a database role is not a secret, a token passed as
 * `https://TOKEN@host` is) and the values of query parameters named like
 * secrets replaced by `***`. Everything else keeps its original spelling, so
 * two redacted URLs compare as the originals would. Text that is not a URL
 * becomes `<invalid URL>`.
 *
 * @example
 * redactUrl('https://u:p@api.example.com/x?token=abc&page=2') // 'https://***:***@api.example.com/x?token=***&page=2'
 * redactUrl('postgresql://app:pw@db/app', { keepUsername: true }) // 'postgresql://app:***@db/app'
 */
export function redactUrl(url: string, options: { keepUsername?: boolean } = {}): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '<invalid URL>';
  }
  if (u.username && !options.keepUsername) u.username = REDACTED;
  if (u.password) u.password = REDACTED;
  if (u.search.length > 1) {
    u.search = u.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = eq < 0 ? pair : pair.slice(0, eq);
        return eq >= 0 && SECRET_PARAMETER.test(decodeName(name)) ? `${name}=${REDACTED}` : pair;
      })
      .join('&');
  }
  return u.toString();
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
