import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '../contract/response-bodies.js';

/** Node's parser errors that mean the request was too large or too slow, by their `code`. */
const REFUSALS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'The request headers are larger than the server accepts'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'The request took too long to arrive'],
};
const MALFORMED: [number, string, string] = [400, 'bad_request', 'The request is not valid HTTP'];

/**
 * Answers the requests Node's HTTP parser refuses before Express sees them (a
 * malformed request line or header, headers over the size limit, a request
 * that never finishes) with the API's JSON error body instead of Node's bare
 * status line, then closes the connection, as Node does.
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
    const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
