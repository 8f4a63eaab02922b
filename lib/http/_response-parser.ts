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
    const text = latin1.decode(block.subarray(0, end));
    this.#head = null;
    this.#onHead(text);
    return at + consumedFromData;
  }

  #onHead(text: string): void {
    const lines = text.split("\r\n");
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? "");
    if (m === null) throw new HttpParseError(`Bad status line "${(lines[0] ?? "").slice(0, 80)}"`);
    const status = Number(m[2]);
    // 1xx interim responses (100 Continue, 103 Early Hints) precede the real one.
    if (status >= 100 && status < 200) return;
    let length = -1;
    let chunked = false;
    let connection = "";
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") length = Number(value);
      else if (name === "transfer-encoding") chunked = value.toLowerCase().includes("chunked");
      else if (name === "connection") connection = value.toLowerCase();
    }
    const noBody = status === 204 || status === 304;
    const untilClose = !noBody && !chunked && !(length >= 0 && Number.isFinite(length));
    this.#status = status;
    // A body delimited by the close can never share its connection.
    this.#keepAlive = !untilClose && (m[1] === "1" ? connection !== "close" : connection === "keep-alive");
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
    let i = at;
    while (i < data.length && data[i] !== LF) i++;
    if (i === data.length) {
      this.#head = this.#join(data, at).slice();
      if (this.#head.length > 4096) throw new HttpParseError("Chunk header line too long");
      return data.length;
    }
    const line = latin1.decode(this.#join(data.subarray(0, i), at)).replace(/\r$/, "");
    this.#head = null;
    if (this.#state === State.Trailers) {
      if (line === "") this.#finish();
      return i + 1;
    }
    const size = Number.parseInt(line.split(";")[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw new HttpParseError(`Bad chunk size "${line.slice(0, 40)}"`);
    if (size === 0) this.#state = State.Trailers;
    else {
      this.#remaining = size;
      this.#state = State.ChunkData;
    }
    return i + 1;
  }

  /** The saved partial bytes followed by data[at…]. */
  #join(data: Uint8Array, at: number): Uint8Array {
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

function indexOfCrlfCrlf(b: Uint8Array, from: number): number {
  for (let i = from; i + 3 < b.length; i++) {
    if (b[i] === CR && b[i + 1] === LF && b[i + 2] === CR && b[i + 3] === LF) return i;
  }
  return -1;
}
