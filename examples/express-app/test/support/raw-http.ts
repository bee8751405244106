import { connect } from 'node:net';

/**
 * Sends `raw` bytes as they are and reads the whole answer until the server
 * closes the connection; with `stall`, keeps the connection open after them,
 * as a slow client does.
 */
export function sendRaw(port: number, raw: string, { stall = false } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => (stall ? socket.write(raw) : socket.end(raw)));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Status and parsed JSON body of a raw HTTP/1.1 answer. */
export function parseRaw(answer: string): { status: number; contentType: string | undefined; body: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
    contentType: /^content-type: (.+)$/im.exec(head)?.[1],
    body: JSON.parse(body),
  };
}
