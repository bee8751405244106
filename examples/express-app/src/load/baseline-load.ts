import autocannon from 'autocannon';

/** One endpoint under load, for one set of tenants. */
export interface LoadTarget {
  /** e.g. `overview`. */
  endpoint: string;
  /** e.g. `heavy` or `spread`. */
  tenants: string;
  /** Path and query, e.g. `/api/dashboard/overview?range=30d`. */
  path: string;
  /** API keys, used in turn, one per request. */
  keys: string[];
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Concurrent connections (closed loop). Default: 50. */
  connections?: number;
  /** Requests in all, spread evenly over the connections; each ends answered or timed out. Default: 100. */
  requests?: number;
  /** Client timeout per request, in seconds; keep it above the slowest request. Default: 300. */
  timeoutSeconds?: number;
}

/** What one load run measured; latencies are of 2xx responses, in ms. */
export interface LoadResult {
  endpoint: string;
  tenants: string;
  /** 2xx responses. */
  ok: number;
  /** Responses with another status. */
  non2xx: number;
  /** Requests the client gave up on after `timeoutSeconds`. */
  timeouts: number;
  /** Connection errors other than timeouts. */
  errors: number;
  p50: number;
  p99: number;
  max: number;
  /** Responses per second over the run. */
  throughput: number;
  seconds: number;
}

export const LOAD_DEFAULTS: Required<LoadOptions> = {
  connections: 50,
  requests: 100,
  timeoutSeconds: 300,
};

/**
 * Loads one endpoint with autocannon, closed loop: each connection sends its
 * next request when the previous one ended, until `requests` were sent; the
 * run ends when every one of them was answered or timed out, so the slowest
 * requests are counted too.
 *
 * @example
 * const result = await runLoad(app.url, { endpoint: 'agents', tenants: 'heavy', path: '/api/agents', keys: [key] });
 */
export async function runLoad(
  baseUrl: string,
  target: LoadTarget,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const { connections, requests, timeoutSeconds } = { ...LOAD_DEFAULTS, ...options };
  let turn = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: `${baseUrl}${target.path}`,
        connections,
        amount: Math.max(requests, connections),
        timeout: timeoutSeconds,
        requests: [
          {
            setupRequest: (request) => {
              const key = target.keys[turn++ % target.keys.length];
              return { ...request, headers: { ...request.headers, authorization: `Bearer ${key}` } };
            },
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
  });
  const timeouts = result.timeouts;
  return {
    endpoint: target.endpoint,
    tenants: target.tenants,
    ok: result['2xx'],
    non2xx: result.non2xx,
    timeouts,
    errors: result.errors - timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    throughput: Math.round(((result['2xx'] + result.non2xx) / result.duration) * 100) / 100,
    seconds: result.duration,
  };
}
