/** A response that is not HTTP/1.x, or whose framing cannot be read. */
export class HttpParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpParseError';
  }
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** A head larger than this is refused rather than buffered without end. */
const MAX_HEAD_BYTES = 64 * 1024;

type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close';

/**
 * Reads the responses of one keep-alive HTTP/1.1 connection from the bytes
 * as they arrive, split anywhere: a head, then a body framed by
 * `Content-Length`, by chunked encoding, or by the end of the connection.
 * It only frames responses — a load generator needs each one's status and
 * the moment it ended, not its headers or body — so it allocates nothing on
 * the common path (a whole response in one packet).
 *
 * @example
 * const parser = new ResponseParser((status) => done(status));
 * socket.on('data', (chunk) => parser.feed(chunk));
 */
export class ResponseParser {
  /** The last response ends the connection (`Connection: close`, HTTP/1.0 without keep-alive, a body framed by the close). */
  closeRequested = false;
  private state: State = 'head';
  private pendingHead: Buffer | null = null;
  private status = 0;
  private remaining = 0;
  private line = '';

  /**
   * @param onResponse called with the status code as each response ends
   * @param bodiless whether responses carry no body whatever their headers say (answers to HEAD)
   */
  constructor(
    private readonly onResponse: (status: number) => void,
    private readonly bodiless = false,
  ) {}

  /** Whether a response has started and not ended. */
  get midResponse(): boolean {
    return this.state !== 'head' || this.pendingHead !== null;
  }

  /** Reads a chunk; calls `onResponse` once per response that ends in it. Throws {@link HttpParseError}. */
  feed(chunk: Buffer): void {
    let data = chunk;
    let offset = 0;
    while (offset < data.length) {
      switch (this.state) {
        case 'head': {
          if (this.pendingHead) {
            data = Buffer.concat([this.pendingHead, data.subarray(offset)]);
            offset = 0;
            this.pendingHead = null;
          }
          const end = data.indexOf(HEAD_END, offset);
          if (end < 0) {
            if (data.length - offset > MAX_HEAD_BYTES) throw new HttpParseError('response head too large');
            this.pendingHead = Buffer.from(data.subarray(offset));
            return;
          }
          this.readHead(data.toString('latin1', offset, end));
          offset = end + HEAD_END.length;
          break;
        }
        case 'body': {
          const take = Math.min(this.remaining, data.length - offset);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case 'chunk-size':
        case 'trailers': {
          if (this.line.endsWith('\r') && data[offset] === 0x0a) {
            // The line's CRLF was split between two chunks.
            const line = this.line.slice(0, -1);
            this.line = '';
            offset++;
            this.readLine(line);
            break;
          }
          const lineEnd = data.indexOf(CRLF, offset);
          if (lineEnd < 0) {
            this.line += data.toString('latin1', offset, data.length);
            if (this.line.length > MAX_HEAD_BYTES) throw new HttpParseError('chunk line too long');
            return;
          }
          const line = this.line + data.toString('latin1', offset, lineEnd);
          this.line = '';
          offset = lineEnd + CRLF.length;
          this.readLine(line);
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.remaining, data.length - offset);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = 'chunk-end';
            this.remaining = CRLF.length;
          }
          break;
        }
        case 'chunk-end': {
          const take = Math.min(this.remaining, data.length - offset);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'chunk-size';
          break;
        }
        case 'until-close':
          return;
      }
    }
  }

  /**
   * The connection ended. A response framed by the end of the connection
   * ends here; returns whether one was cut short instead.
   */
  end(): boolean {
    if (this.state === 'until-close') {
      this.complete();
      return false;
    }
    return this.midResponse;
  }

  private readHead(head: string): void {
    if (!head.startsWith('HTTP/1.'))
      throw new HttpParseError(`not an HTTP/1.x response: "${head.slice(0, 20)}"`);
    const status = Number(head.slice(9, 12));
    if (!(status >= 100 && status <= 999))
      throw new HttpParseError(`bad status line: "${head.split('\r\n', 1)[0]}"`);
    // 1xx responses (100 Continue, 103 Early Hints) precede the real one.
    if (status < 200 && status !== 101) return;
    if (status === 101)
      throw new HttpParseError('the server switched protocols (101); only HTTP/1.1 is supported');
    this.status = status;
    const lower = head.toLowerCase();
    const connection = headerValue(lower, 'connection');
    this.closeRequested =
      connection === 'close' || (lower.startsWith('http/1.0') && connection !== 'keep-alive');
    const length = headerValue(lower, 'content-length');
    if (this.bodiless || status === 204 || status === 304) this.complete();
    else if (headerValue(lower, 'transfer-encoding')?.endsWith('chunked')) this.state = 'chunk-size';
    else if (length === undefined) {
      this.state = 'until-close';
      this.closeRequested = true;
    } else {
      const n = Number(length);
      if (!Number.isSafeInteger(n) || n < 0) throw new HttpParseError(`bad content-length: "${length}"`);
      if (n === 0) this.complete();
      else {
        this.remaining = n;
        this.state = 'body';
      }
    }
  }

  private readLine(line: string): void {
    if (this.state === 'trailers') {
      if (line === '') this.complete();
      return;
    }
    const size = Number.parseInt(line, 16);
    if (!Number.isSafeInteger(size) || size < 0 || !/^[0-9a-fA-F]/.test(line))
      throw new HttpParseError(`bad chunk size: "${line.slice(0, 20)}"`);
    if (size === 0) this.state = 'trailers';
    else {
      this.state = 'chunk-data';
      this.remaining = size;
    }
  }

  private complete(): void {
    this.state = 'head';
    this.onResponse(this.status);
  }
}

/** A header's trimmed value in a lower-cased head, or undefined. */
function headerValue(lowerHead: string, name: string): string | undefined {
  const at = lowerHead.indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const start = at + name.length + 3;
  const end = lowerHead.indexOf('\r\n', start);
  return lowerHead.slice(start, end < 0 ? undefined : end).trim();
}
