import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { InvalidOptionError, PerfCliError } from '../../errors.js';
import { redactUrl } from '../../util/redact-url.js';
import type { LoadTarget } from '../targets.js';
import { ResponseParser } from './response-parser.js';

/** A target's request, serialized once: every send writes the same bytes. */
export interface RequestTemplate {
  host: string;
  port: number;
  secure: boolean;
  bytes: Buffer;
  /** Answers carry no body (HEAD). */
  bodiless: boolean;
}

/**
 * Serializes a target's request as HTTP/1.1 bytes: request line, `Host`,
 * the target's headers (their values were checked for line breaks when the
 * target was read), and `Content-Length` for a body.
 *
 * @example
 * requestTemplate(parseTargetFlag('http://127.0.0.1:3000/api/agents')).bytes.toString()
 * // 'GET /api/agents HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n\r\n'
 */
export function requestTemplate(target: LoadTarget): RequestTemplate {
  const url = new URL(target.url);
  const secure = url.protocol === 'https:';
  const body = target.body === undefined ? undefined : Buffer.from(target.body);
  const lines = [`${target.method} ${url.pathname}${url.search} HTTP/1.1`];
  if (!('host' in target.headers)) lines.push(`Host: ${url.host}`);
  for (const [name, value] of Object.entries(target.headers)) {
    if (name !== 'content-length' && name !== 'transfer-encoding') lines.push(`${name}: ${value}`);
  }
  if (body) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port) || (secure ? 443 : 80),
    secure,
    bytes: body ? Buffer.concat([head, body]) : head,
    bodiless: target.method === 'HEAD',
  };
}

/** What a connection reports to the load model driving it. */
export interface ConnectionEvents {
  /** A response ended, at `endedAt` (performance.now()). */
  response(connection: Connection, status: number, endedAt: number): void;
  /** The request in flight failed: the connection broke (`network`) or {@link Connection.expire} gave up on it (`timeout`). */
  failure(connection: Connection, kind: 'network' | 'timeout'): void;
}

/**
 * One keep-alive HTTP/1.1 connection that sends one request at a time
 * (no pipelining, like wrk and autocannon's defaults). A connection the
 * server closed, or that broke, is opened again by the next send, so the
 * reconnect is charged to that request's latency, as a real client's is.
 *
 * @example
 * const c = new Connection(requestTemplate(target), events);
 * await c.open();
 * c.send(performance.now()); // events.response(c, 200, endedAt) follows
 */
export class Connection {
  /** performance.now() when the request in flight was written. */
  sentAt = 0;
  /** Whether a request is in flight. */
  busy = false;
  /** The intended send time of the request in flight (the open model's schedule), ms. */
  due = 0;
  private socket: net.Socket | null = null;

  constructor(
    private readonly template: RequestTemplate,
    private readonly events: ConnectionEvents,
  ) {}

  /** Opens the socket ahead of the first send, so set-up is not measured; rejects when the target cannot be reached. */
  open(): Promise<void> {
    const socket = this.connect();
    return new Promise((resolve, reject) => {
      socket.once(this.template.secure ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
  }

  /** Writes the request; the connection must be idle. */
  send(now: number): void {
    this.busy = true;
    this.sentAt = now;
    (this.socket ?? this.connect()).write(this.template.bytes);
  }

  /** Gives up on a request in flight longer than `timeoutMs`, closing its socket; returns whether it did. */
  expire(now: number, timeoutMs: number): boolean {
    if (!this.busy || now - this.sentAt <= timeoutMs) return false;
    this.drop();
    this.busy = false;
    this.events.failure(this, 'timeout');
    return true;
  }

  close(): void {
    this.drop();
  }

  private connect(): net.Socket {
    const { host, port, secure, bodiless } = this.template;
    const socket = secure
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ALPNProtocols: ['http/1.1'],
        })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    this.socket = socket;
    const parser = new ResponseParser((status) => {
      if (socket !== this.socket) return;
      const endedAt = performance.now();
      if (parser.closeRequested) this.drop();
      this.busy = false;
      this.events.response(this, status, endedAt);
    }, bodiless);
    const broken = () => {
      if (socket !== this.socket) return;
      this.drop();
      if (this.busy) {
        this.busy = false;
        this.events.failure(this, 'network');
      }
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.feed(chunk);
      } catch {
        broken();
      }
    });
    socket.on('error', broken);
    socket.on('close', () => {
      // A body framed by the end of the connection ends here.
      if (socket === this.socket) parser.end();
      broken();
    });
    return socket;
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
  }
}

/**
 * Opens `count` connections to a target before the clock starts, so
 * connection set-up never lands inside a measured schedule.
 *
 * @example
 * const connections = await openConnections(target, 10, events); // throws PERFKIT_CLI_TARGET_UNREACHABLE
 */
export async function openConnections(
  target: LoadTarget,
  count: number,
  events: ConnectionEvents,
): Promise<Connection[]> {
  const template = requestTemplate(target);
  const connections = Array.from({ length: count }, () => new Connection(template, events));
  try {
    await Promise.all(connections.map((c) => c.open()));
  } catch (error) {
    for (const c of connections) c.close();
    // Out of file descriptors is this machine's limit, not the target's fault.
    if ((error as NodeJS.ErrnoException).code === 'EMFILE') {
      throw new InvalidOptionError(
        '-c/--connections',
        `is over this process's open-file limit (ulimit -n) at ${count} connections to ${target.name}: use fewer, or raise the limit`,
      );
    }
    throw new PerfCliError(
      'PERFKIT_CLI_TARGET_UNREACHABLE',
      `${target.name}: ${redactUrl(target.url)} is unreachable: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return connections;
}

/**
 * Times requests out by sweeping the connections a few times per timeout,
 * instead of arming a timer per request. Returns the function that stops it.
 *
 * @example
 * const stop = expireRequests(connections, 10_000); … stop();
 */
export function expireRequests(connections: Connection[], timeoutMs: number): () => void {
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const c of connections) c.expire(now, timeoutMs);
    },
    Math.max(10, Math.min(250, timeoutMs / 4)),
  );
  return () => clearInterval(sweep);
}
