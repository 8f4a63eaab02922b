// Incremental HTTP/1.1 response parser: bytes in any chunking → status, body bytes (Content-Length,
// chunked, or until close), end. Pure; throws HttpParseError on malformed framing.

export class HttpParseError extends Error {
  override readonly name = "HttpParseError";
}

export interface ParserSink {
  headers(status: number, keepAlive: boolean): void;
  body(chunk: Uint8Array): void;
  end(): void;
}

enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const CR = 13;
const LF = 10;
const latin1 = new TextDecoder("latin1");
const MAX_HEAD = 64 * 1024;

export class ResponseParser {
  #state = State.Head;
  #head: Uint8Array | null = null; // partial header block or chunk-size line
  #remaining = 0;
  #keepAlive = true;
  #status = 0;
  /** True when bytes arrived after the response ended (the connection must not be reused). */
  extraBytes = false;
  readonly #sink: ParserSink;

  constructor(sink: ParserSink) {
    this.#sink = sink;
  }

  get done(): boolean {
    return this.#state === State.Done;
  }

  /** Whether any byte of a response has been seen. */
  get started(): boolean {
    return this.#state !== State.Head || this.#head !== null;
  }

  feed(data: Uint8Array): void {
    let at = 0;
    while (at < data.length) {
      switch (this.#state) {
        case State.Head:
          at = this.#readHead(data, at);
          break;
        case State.Length: {
          const n = Math.min(this.#remaining, data.length - at);
          this.#sink.body(data.subarray(at, at + n));
          at += n;
          this.#remaining -= n;
          if (this.#remaining === 0) this.#finish();
          break;
        }
        case State.ChunkSize:
        case State.Trailers:
          at = this.#readLine(data, at);
          break;
        case State.ChunkData: {
          const n = Math.min(this.#remaining, data.length - at);
          this.#sink.body(data.subarray(at, at + n));
          at += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#state = State.ChunkDataEnd;
            this.#remaining = 2;
          }
          break;
        }
        case State.ChunkDataEnd: {
          const byte = data[at++]!;
          if (byte !== (this.#remaining === 2 ? CR : LF)) throw new HttpParseError("Bad chunk terminator");
          if (--this.#remaining === 0) this.#state = State.ChunkSize;
          break;
        }
        case State.UntilClose:
          this.#sink.body(data.subarray(at));
          at = data.length;
          break;
        case State.Done:
          this.extraBytes = true;
          return;
      }
    }
  }

  /** The connection closed: ends an until-close body; returns whether the response was complete. */
  close(): boolean {
    if (this.#state === State.UntilClose) this.#finish();
    return this.#state === State.Done;
  }

  #readHead(data: Uint8Array, at: number): number {
    const block = this.#join(data, at);
    const end = indexOfCrlfCrlf(block, this.#head === null ? 0 : Math.max(0, this.#head.length - 3));
    if (end < 0) {
      if (block.length > MAX_HEAD) throw new HttpParseError("Response headers larger than 64 KiB");
      this.#head = block.slice();
      return data.length;
    }
    const consumedFromData = end + 4 - (this.#head?.length ?? 0);
    this.#head = null;
    this.#onHead(block, end);
    return at + consumedFromData;
  }

  // Works on the bytes: decoding and splitting the whole head was a fifth of the transport's CPU.
  #onHead(b: Uint8Array, end: number): void {
    if (!startsWith(b, 0, HTTP_1) || (b[7] !== 0x30 && b[7] !== 0x31) || b[8] !== 0x20 || !digits3(b, 9)) {
      const lineEnd = b.indexOf(CR);
      throw new HttpParseError(
        `Bad status line "${latin1.decode(b.subarray(0, lineEnd < 0 ? 80 : Math.min(lineEnd, 80)))}"`,
      );
    }
    const status = (b[9]! - 0x30) * 100 + (b[10]! - 0x30) * 10 + (b[11]! - 0x30);
    // 1xx interim responses (100 Continue, 103 Early Hints) precede the real one.
    if (status >= 100 && status < 200) return;
    let length = -1;
    let chunked = false;
    let connection = "";
    let line = b.indexOf(LF) + 1;
    while (line > 0 && line < end) {
      let lineEnd = b.indexOf(CR, line);
      if (lineEnd < 0 || lineEnd > end) lineEnd = end;
      const colon = b.indexOf(0x3a, line);
      if (colon > line && colon < lineEnd) {
        const nameLength = colon - line;
        if (nameLength === 14 && sameName(b, line, CONTENT_LENGTH))
          length = Number(value(b, colon + 1, lineEnd));
        else if (nameLength === 17 && sameName(b, line, TRANSFER_ENCODING)) {
          chunked = value(b, colon + 1, lineEnd)
            .toLowerCase()
            .includes("chunked");
        } else if (nameLength === 10 && sameName(b, line, CONNECTION)) {
          connection = value(b, colon + 1, lineEnd).toLowerCase();
        }
      }
      line = lineEnd + 2;
    }
    const noBody = status === 204 || status === 304;
    const untilClose = !noBody && !chunked && !(length >= 0 && Number.isFinite(length));
    this.#status = status;
    // A body delimited by the close can never share its connection.
    this.#keepAlive = !untilClose && (b[7] === 0x31 ? connection !== "close" : connection === "keep-alive");
    this.#sink.headers(status, this.#keepAlive);
    if (noBody) this.#finish();
    else if (chunked) this.#state = State.ChunkSize;
    else if (untilClose) this.#state = State.UntilClose;
    else {
      this.#remaining = length;
      this.#state = State.Length;
      if (length === 0) this.#finish();
    }
  }

  #readLine(data: Uint8Array, at: number): number {
    const i = data.indexOf(LF, at);
    if (i < 0) {
      this.#head = this.#join(data, at).slice();
      if (this.#head.length > 4096) throw new HttpParseError("Chunk header line too long");
      return data.length;
    }
    // The line is bytes[from, to) without its LF (and CR): read in place from `data` unless an
    // earlier read held its start (no subarray per chunk: it showed up in profiles).
    let bytes = data;
    let from = at;
    let to = i;
    if (this.#head !== null) {
      bytes = this.#join(data.subarray(0, i), at);
      from = 0;
      to = bytes.length;
      this.#head = null;
    }
    if (to > from && bytes[to - 1] === CR) to--;
    if (this.#state === State.Trailers) {
      if (to === from) this.#finish();
      return i + 1;
    }
    // Chunk size: hex digits, optionally followed by ";extension" (or whitespace).
    let size = 0;
    let k = from;
    for (; k < to; k++) {
      const h = hexValue(bytes[k]!);
      if (h < 0) break;
      size = size * 16 + h;
    }
    const rest = bytes[k];
    if (k === from || (k < to && rest !== 0x3b && rest !== 0x20 && rest !== 0x09)) {
      throw new HttpParseError(
        `Bad chunk size "${latin1.decode(bytes.subarray(from, Math.min(to, from + 40)))}"`,
      );
    }
    if (size === 0) this.#state = State.Trailers;
    else {
      this.#remaining = size;
      this.#state = State.ChunkData;
    }
    return i + 1;
  }

  /** The saved partial bytes followed by data[at…]. */
  #join(data: Uint8Array, at: number): Uint8Array {
    if (this.#head === null && at === 0) return data;
    const rest = data.subarray(at);
    if (this.#head === null) return rest;
    const joined = new Uint8Array(this.#head.length + rest.length);
    joined.set(this.#head);
    joined.set(rest, this.#head.length);
    return joined;
  }

  #finish(): void {
    this.#state = State.Done;
    this.#sink.end();
  }

  get keepAlive(): boolean {
    return this.#keepAlive;
  }

  get status(): number {
    return this.#status;
  }
}

const HTTP_1 = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e]; // "HTTP/1."
const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
const CONTENT_LENGTH = ascii("content-length");
const TRANSFER_ENCODING = ascii("transfer-encoding");
const CONNECTION = ascii("connection");

function startsWith(b: Uint8Array, at: number, prefix: readonly number[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

function digits3(b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 3; i++) if (b[i]! < 0x30 || b[i]! > 0x39) return false;
  return true;
}

/** Header name at b[at…] equals `lower` case-insensitively (ASCII letters and '-'). */
function sameName(b: Uint8Array, at: number, lower: readonly number[]): boolean {
  for (let i = 0; i < lower.length; i++) if ((b[at + i]! | 0x20) !== lower[i]) return false;
  return true;
}

/** A header value without surrounding spaces/tabs. */
function value(b: Uint8Array, from: number, to: number): string {
  while (from < to && (b[from] === 0x20 || b[from] === 0x09)) from++;
  while (to > from && (b[to - 1] === 0x20 || b[to - 1] === 0x09)) to--;
  return latin1.decode(b.subarray(from, to));
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

function indexOfCrlfCrlf(b: Uint8Array, from: number): number {
  for (let i = from; i + 3 < b.length; i++) {
    if (b[i] === CR && b[i + 1] === LF && b[i + 2] === CR && b[i + 3] === LF) return i;
  }
  return -1;
}
