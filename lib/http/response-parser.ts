// Incremental HTTP/1.1 response parser: bytes in any chunking → status, body bytes (Content-Length,
// chunked, or until close), end. Pure; throws HttpParseError on malformed framing, and its subclass
// ResponseTooLargeError once a body passes `maxBodyBytes` (heads are capped at 64 KiB, chunk lines at
// 4 KiB), so no response can make the client hold more than that.

export class HttpParseError extends Error {
  override readonly name: string = "HttpParseError";
}

/** The body is (or announces that it will be) longer than the parser's `maxBodyBytes`. */
export class ResponseTooLargeError extends HttpParseError {
  override readonly name = "ResponseTooLargeError";
}

export interface ParserSink {
  /** `watched`: the value of the header named by the `watchHeader` option, or null when absent. */
  headers(status: number, keepAlive: boolean, watched: string | null): void;
  /** At most one call per feed(): all of that input's body bytes. Only valid during the call. */
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
  #bodyBytes = 0;
  readonly #maxBodyBytes: number;
  /** True when bytes arrived after the response ended (the connection must not be reused). */
  extraBytes = false;
  readonly #sink: ParserSink;
  // Body bytes of the current feed() not yet handed to the sink: one range of the input (no copy; with
  // inPlace, later ranges are moved up against it), or, once a second range appears (chunked framing
  // between events), a copy in `scratch`.
  #bodyData: Uint8Array | null = null;
  #bodyFrom = 0;
  #bodyTo = 0;
  #bodyCopied = 0;

  readonly #inPlace: boolean;
  readonly #watch: number[] | null;

  /**
   * `inPlace`: feed() may move body bytes within its input to drop chunk framing (no copy, no
   * allocation); only for a caller that owns each buffer it feeds and never reads it again.
   * `maxBodyBytes`: the longest body accepted (after chunk framing); unlimited by default.
   * `watchHeader`: a response header whose value the sink receives (e.g. a session token); the only
   * header decoded to a string, so the cost is zero when it is absent.
   */
  constructor(
    sink: ParserSink,
    options: { inPlace?: boolean; maxBodyBytes?: number; watchHeader?: string | null } = {},
  ) {
    this.#sink = sink;
    this.#inPlace = options.inPlace === true;
    this.#maxBodyBytes = options.maxBodyBytes ?? Number.POSITIVE_INFINITY;
    const watch = options.watchHeader?.trim().toLowerCase() ?? "";
    this.#watch = watch === "" ? null : ascii(watch);
  }

  /** Ready for the next response on the same connection (a parser per connection, not per request). */
  reset(): void {
    this.#state = State.Head;
    this.#head = null;
    this.#remaining = 0;
    this.#keepAlive = true;
    this.#status = 0;
    this.#bodyBytes = 0;
    this.extraBytes = false;
  }

  get done(): boolean {
    return this.#state === State.Done;
  }

  /** Whether the status line and headers have been read whole (a response is established). */
  get headersRead(): boolean {
    return this.#state !== State.Head;
  }

  /** Whether any byte of a response has been seen. */
  get started(): boolean {
    return this.#state !== State.Head || this.#head !== null;
  }

  feed(data: Uint8Array): void {
    try {
      this.#feed(data);
    } finally {
      this.#flushBody();
    }
  }

  #feed(data: Uint8Array): void {
    let at = 0;
    while (at < data.length) {
      switch (this.#state) {
        case State.Head:
          at = this.#readHead(data, at);
          break;
        case State.Length: {
          const n = Math.min(this.#remaining, data.length - at);
          this.#body(data, at, at + n);
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
          this.#body(data, at, at + n);
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
          this.#body(data, at, data.length);
          at = data.length;
          break;
        case State.Done:
          this.extraBytes = true;
          return;
      }
    }
  }

  /** The connection closed: ends an until-close body; returns whether the response was complete. */
  endOfConnection(): boolean {
    if (this.#state === State.UntilClose) this.#finish();
    return this.#state === State.Done;
  }

  #readHead(data: Uint8Array, at: number): number {
    const block = this.#join(data, at);
    // Bytes that cannot start a status line fail now, not after 64 KiB or the connection's close.
    for (let i = 0; i < Math.min(block.length, HTTP_1.length); i++) {
      if (block[i] !== HTTP_1[i])
        throw new HttpParseError(`Bad status line "${printable(block.subarray(0, 40))}"`);
    }
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
        `Bad status line "${printable(b.subarray(0, lineEnd < 0 ? 80 : Math.min(lineEnd, 80)))}"`,
      );
    }
    const status = (b[9]! - 0x30) * 100 + (b[10]! - 0x30) * 10 + (b[11]! - 0x30);
    // 1xx interim responses (100 Continue, 103 Early Hints) precede the real one.
    if (status >= 100 && status < 200) return;
    let length = -1;
    let chunked = false;
    let connection = "";
    let watched: string | null = null;
    const watch = this.#watch;
    let line = b.indexOf(LF) + 1;
    while (line > 0 && line < end) {
      let lineEnd = b.indexOf(CR, line);
      if (lineEnd < 0 || lineEnd > end) lineEnd = end;
      const colon = b.indexOf(0x3a, line);
      if (colon > line && colon < lineEnd) {
        const nameLength = colon - line;
        // Values are read in place: decoding them to strings was ~4% of the transport's CPU.
        if (nameLength === 14 && sameName(b, line, CONTENT_LENGTH)) length = decimal(b, colon + 1, lineEnd);
        else if (nameLength === 17 && sameName(b, line, TRANSFER_ENCODING))
          chunked = includesLower(b, colon + 1, lineEnd, CHUNKED);
        else if (nameLength === 10 && sameName(b, line, CONNECTION)) {
          if (valueIs(b, colon + 1, lineEnd, CLOSE)) connection = "close";
          else if (valueIs(b, colon + 1, lineEnd, KEEP_ALIVE)) connection = "keep-alive";
          else connection = "other";
        } else if (watch !== null && nameLength === watch.length && sameName(b, line, watch))
          watched = latin1.decode(b.subarray(colon + 1, lineEnd)).trim();
      }
      line = lineEnd + 2;
    }
    const noBody = status === 204 || status === 304;
    const untilClose = !noBody && !chunked && !(length >= 0 && Number.isFinite(length));
    this.#status = status;
    // A body delimited by the close can never share its connection.
    this.#keepAlive = !untilClose && (b[7] === 0x31 ? connection !== "close" : connection === "keep-alive");
    this.#sink.headers(status, this.#keepAlive, watched);
    // Refused at the head: nothing of a body announced too long is read.
    if (!noBody && !chunked && length > this.#maxBodyBytes) this.#tooLarge();
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
    // Fast path for the common "hex CRLF" chunk-size line and the empty trailer line, read in place:
    // a native indexOf call per chunk frame cost more than these few byte reads.
    if (this.#head === null) {
      if (this.#state === State.Trailers) {
        if (data[at] === CR && data[at + 1] === LF) {
          this.#finish();
          return at + 2;
        }
      } else {
        let size = 0;
        let k = at;
        for (; k < at + 12; k++) {
          const h = hexValue(data[k] ?? 0);
          if (h < 0) break;
          size = size * 16 + h;
        }
        if (k > at && data[k] === CR && data[k + 1] === LF) {
          this.#chunkSize(size);
          return k + 2;
        }
      }
    }
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
    this.#chunkSize(size);
    return i + 1;
  }

  #chunkSize(size: number): void {
    if (size === 0) this.#state = State.Trailers;
    else {
      this.#remaining = size;
      this.#state = State.ChunkData;
    }
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

  // One sink call per read instead of one per chunk frame: a 20-token stream arrives as ~22 frames in
  // one or two reads, and a subarray plus a reader call per frame cost more than copying ~3 KB.
  #body(data: Uint8Array, from: number, to: number): void {
    this.#bodyBytes += to - from;
    if (this.#bodyBytes > this.#maxBodyBytes) this.#tooLarge();
    if (this.#bodyData === null) {
      this.#bodyData = data;
      this.#bodyFrom = from;
      this.#bodyTo = to;
      return;
    }
    if (this.#inPlace && data === this.#bodyData) {
      data.copyWithin(this.#bodyTo, from, to);
      this.#bodyTo += to - from;
      return;
    }
    if (this.#bodyCopied === 0) {
      this.#bodyCopied = copyToScratch(this.#bodyData, this.#bodyFrom, this.#bodyTo, 0);
    }
    this.#bodyCopied = copyToScratch(data, from, to, this.#bodyCopied);
  }

  #flushBody(): void {
    const data = this.#bodyData;
    if (data === null) return;
    this.#bodyData = null;
    const copied = this.#bodyCopied;
    this.#bodyCopied = 0;
    this.#sink.body(copied > 0 ? scratch.subarray(0, copied) : data.subarray(this.#bodyFrom, this.#bodyTo));
  }

  #tooLarge(): never {
    throw new ResponseTooLargeError(`Response body larger than ${describeBytes(this.#maxBodyBytes)}`);
  }

  #finish(): void {
    this.#flushBody();
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

/** Bytes as text, everything but printable ASCII escaped (server bytes go into messages people read). */
function printable(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes)
    text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  return text;
}

/** "64 MiB" for whole mebibytes, else the byte count. */
function describeBytes(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

/** Shared by every parser: body bytes are handed on before feed() returns, so one buffer suffices. */
let scratch = new Uint8Array(16 * 1024);

/** Appends data[from, to) to scratch at `at` (growing it); returns the new length. */
function copyToScratch(data: Uint8Array, from: number, to: number, at: number): number {
  const end = at + (to - from);
  if (end > scratch.length) {
    const grown = new Uint8Array(Math.max(end, scratch.length * 2));
    grown.set(scratch.subarray(0, at));
    scratch = grown;
  }
  scratch.set(data.subarray(from, to), at);
  return end;
}

const HTTP_1 = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e]; // "HTTP/1."
const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
const CONTENT_LENGTH = ascii("content-length");
const TRANSFER_ENCODING = ascii("transfer-encoding");
const CONNECTION = ascii("connection");
const CHUNKED = ascii("chunked");
const CLOSE = ascii("close");
const KEEP_ALIVE = ascii("keep-alive");

function startsWith(b: Uint8Array, at: number, prefix: readonly number[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

function digits3(b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 3; i++) if (b[i]! < 0x30 || b[i]! > 0x39) return false;
  return true;
}

/** Bytes at b[at…] equal `lower` case-insensitively (ASCII letters, digits and '-'). */
function sameName(b: Uint8Array, at: number, lower: readonly number[]): boolean {
  for (let i = 0; i < lower.length; i++) if ((b[at + i]! | 0x20) !== lower[i]) return false;
  return true;
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x09;

/** A header value of decimal digits (surrounding spaces/tabs allowed) as a number; NaN otherwise. */
function decimal(b: Uint8Array, from: number, to: number): number {
  while (from < to && isSpace(b[from])) from++;
  while (to > from && isSpace(b[to - 1])) to--;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/** The value, without surrounding spaces/tabs, equals `lower` case-insensitively. */
function valueIs(b: Uint8Array, from: number, to: number, lower: readonly number[]): boolean {
  while (from < to && isSpace(b[from])) from++;
  while (to > from && isSpace(b[to - 1])) to--;
  return to - from === lower.length && sameName(b, from, lower);
}

/** b[from, to) contains `lower` case-insensitively. */
function includesLower(b: Uint8Array, from: number, to: number, lower: readonly number[]): boolean {
  for (let i = from; i + lower.length <= to; i++) if (sameName(b, i, lower)) return true;
  return false;
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
