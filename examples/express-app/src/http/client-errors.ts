import {
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '../contract/response-bodies.js';

/** Node's parser errors that mean the request was too large or too slow, by their `code`. */
const REFUSALS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'The request headers are larger than the server accepts'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'The request took too long to arrive'],
};
const MALFORMED: [number, string, string] = [400, 'bad_request', 'The request is not valid HTTP'];

/**
 * Answers the requests Node refuses before Express sees them (a malformed
 * request line or header, headers over the size limit, a request that never
 * finishes, an unsupported `Expect`, a CONNECT; a missing `Host` is
 * {@link requiringHost}'s) with the API's JSON error
 * body instead of Node's bare status line or silence, then closes the
 * connection, as Node does.
 *
 * @example
 * answerClientErrors(app.listen(port));
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const [status, code, message] = REFUSALS[error.code ?? ''] ?? MALFORMED;
    answerRaw(socket, status, code, message);
  });
  // An `Expect` other than 100-continue: node's own answer is a bare 417.
  server.on('checkExpectation', (_req, res: ServerResponse) => {
    answerAndClose(res, 417, 'expectation_failed', 'Only "Expect: 100-continue" is supported');
  });
  // CONNECT is no method of this API: without a listener node closes the connection with no answer.
  server.on('connect', (_req, socket: Duplex) => {
    answerRaw(socket, 405, 'method_not_allowed', 'CONNECT is not allowed here');
  });
}

/**
 * `app` behind the check of an HTTP/1.1 request without `Host` (RFC 9112,
 * section 3.2), which answers it with the JSON error body. Node's own check
 * answers a bare 400, so the server turns it off (`requireHostHeader: false`).
 *
 * @example
 * createServer({ requireHostHeader: false }, requiringHost(app));
 */
export function requiringHost(app: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor === 1) {
      answerAndClose(res, 400, 'bad_request', 'An HTTP/1.1 request needs a Host header');
      return;
    }
    app(req, res);
  };
}

function answerAndClose(res: ServerResponse, status: number, code: string, message: string): void {
  const body = errorJson(code, message);
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    })
    .end(body);
}

function errorJson(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } } satisfies ErrorBody);
}

/** Writes a whole JSON error answer onto a connection no response object owns, and closes it. */
function answerRaw(socket: Duplex, status: number, code: string, message: string): void {
  const body = errorJson(code, message);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
