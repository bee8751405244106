import { setTimeout as sleep } from 'node:timers/promises';
import { checkNumber, type Duration, MAX_TIMER_MS, parseTimerDuration } from '@perfkit/primitives';
import { InvalidMonitorOptionsError, WebhookDeliveryError } from '../errors.js';
import type { AlertSink } from './alert-sink.js';

/**
 * Options of {@link createWebhookSink}.
 *
 * @example
 * ```ts
 * const options: WebhookSinkOptions = { url: 'https://hooks.example.com/perf', attempts: 5 };
 * ```
 */
export interface WebhookSinkOptions {
  /**
   * Where events are POSTed as JSON: an `http:` or `https:` URL without
   * credentials (send them in `headers`). Required. Logs and errors show only
   * its origin: the path of a Slack-style hook is its token.
   */
  url: string;
  /** Extra request headers, e.g. an authorization token. Default none. */
  headers?: Record<string, string>;
  /** Attempts in all, the first included. Default `4`. */
  attempts?: number;
  /** Wait before the first retry; doubles after each. Default `'1s'`. */
  retryDelay?: Duration;
  /** Per-attempt timeout. Default `'5s'`. */
  timeout?: Duration;
}

const WEBHOOK_DEFAULTS = { attempts: 4, retryDelay: '1s', timeout: '5s' } as const;

// A client error other than these means the request itself is wrong:
// repeating it cannot succeed.
const RETRYABLE_CLIENT_STATUSES = new Set([408, 429]);

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

function parseWebhookUrl(raw: string): URL {
  // Messages never echo the URL: it may hold a token or a password.
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidMonitorOptionsError('url', 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidMonitorOptionsError('url', `must be http: or https:, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidMonitorOptionsError('url', 'must not carry credentials; send them in headers');
  }
  return url;
}

/** The URL as logs and errors show it: the origin, and the path masked. */
function redactedUrl(url: URL): string {
  return url.pathname === '/' && url.search === '' ? url.origin : `${url.origin}/***`;
}

function isRetryable(error: unknown): boolean {
  return (
    !(error instanceof HttpStatusError) || error.status >= 500 || RETRYABLE_CLIENT_STATUSES.has(error.status)
  );
}

/**
 * An alert sink that POSTs each event as JSON, retrying network errors,
 * timeouts, 408, 429 and 5xx with exponential backoff. It never follows a
 * redirect (its headers would go to another host): a 3xx fails the attempt.
 * Throws {@link InvalidMonitorOptionsError} for a URL that is not http(s) or
 * carries credentials.
 *
 * @example
 * ```ts
 * const sink = createWebhookSink({ url: process.env.ALERT_WEBHOOK_URL!, headers: { authorization: 'Bearer …' } });
 * ```
 */
export function createWebhookSink(options: WebhookSinkOptions): AlertSink {
  const url = parseWebhookUrl(options.url);
  const shownUrl = redactedUrl(url);
  const attempts = checkNumber(
    options.attempts ?? WEBHOOK_DEFAULTS.attempts,
    'attempts',
    { min: 1, integer: true },
    InvalidMonitorOptionsError,
  );
  const retryDelayMs = parseTimerDuration(
    options.retryDelay ?? WEBHOOK_DEFAULTS.retryDelay,
    'retryDelay',
    InvalidMonitorOptionsError,
  );
  const timeoutMs = parseTimerDuration(
    options.timeout ?? WEBHOOK_DEFAULTS.timeout,
    'timeout',
    InvalidMonitorOptionsError,
    { positive: true },
  );
  const headers = { 'content-type': 'application/json', ...options.headers };

  async function post(body: string): Promise<void> {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new HttpStatusError(response.status);
  }

  return {
    name: `webhook ${shownUrl}`,
    async send(event) {
      const body = JSON.stringify(event);
      for (let attempt = 1; ; attempt++) {
        try {
          return await post(body);
        } catch (error) {
          if (attempt >= attempts || !isRetryable(error))
            throw new WebhookDeliveryError(shownUrl, attempt, error);
          await sleep(Math.min(retryDelayMs * 2 ** (attempt - 1), MAX_TIMER_MS));
        }
      }
    },
  };
}
