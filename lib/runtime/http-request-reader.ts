// Pure HTTP/1.1 request framing for the simulator's server: bytes in as they are read, whole requests
// out (head parsed, body complete: Content-Length or chunked). Each request carries the time of the
// read that brought its first byte, so the simulator's truth log starts a request where the wire does,
// not after a parser and an event layer have had their turn.
import { Buffer } from "node:buffer";

export interface HttpRequest {
  method: string;
  /** The request target as sent, e.g. "/v1/completions?x=1". */
  url: string;
  /** Lower-case names; a repeated header keeps its values joined by ", ". */
  headers: Record<string, string>;
  /** The body as UTF-8 text; null when it is larger than the reader's limit (never read). */
  body: string | null;
  /** When the read that carried the request's first byte happened (the server's clock). */
  receivedMs: number;
  /** HTTP/1.1 without "Connection: close", or HTTP/1.0 with "Connection: keep-alive". */
  keepAlive: boolean;
  /** An HTTP/1.0 client cannot read a chunked body. */
  http10: boolean;
}

/** A request that cannot be framed: answer `status` and close the connection. */
export interface HttpFramingError {
  error: string;
  status: number;
}

export interface RequestReaderLimits {
  /** Longest request line plus headers. */
  maxHeadBytes: number;
  /** Largest body read; a larger one is reported with body null and nothing after it is read. */
  maxBodyBytes: number;
}

/** Smallest buffer allocated, and the largest kept once empty. */
const MIN_BYTES = 2048;
const KEEP_BYTES = 64 * 1024;
const CR = 13;
const LF = 10;

interface Head {
  method: string;
  url: string;
  headers: Record<string, string>;
  keepAlive: boolean;
  http10: boolean;
  chunked: boolean;
  contentLength: number;
  expectContinue: boolean;
  /** Bytes of the head, through its blank line. */
  size: number;
}

function parseHead(text: string, size: number): Head | HttpFramingError {
  const lines = text.split("\r\n");
  const requestLine = (lines[0] ?? "").split(" ");
  if (requestLine.length !== 3) return { error: "malformed request line", status: 400 };
  const [method = "", url = "", version = ""] = requestLine;
  if (!/^[A-Z]+$/.test(method) || url === "") return { error: "malformed request line", status: 400 };
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0")
    return { error: `unsupported version ${version}`, status: 505 };
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return { error: "malformed header line", status: 400 };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const connection = (headers.connection ?? "").toLowerCase();
  const keepAlive =
    version === "HTTP/1.1" ? !connection.includes("close") : connection.includes("keep-alive");
  const chunked = (headers["transfer-encoding"] ?? "").toLowerCase().includes("chunked");
  let contentLength = 0;
  if (!chunked && headers["content-length"] !== undefined) {
    if (!/^\d+$/.test(headers["content-length"])) return { error: "malformed Content-Length", status: 400 };
    contentLength = Number(headers["content-length"]);
  }
  return {
    method,
    url,
    headers,
    keepAlive,
    http10: version === "HTTP/1.0",
    chunked,
    contentLength,
    expectContinue: (headers.expect ?? "").toLowerCase() === "100-continue",
    size,
  };
}

export class RequestReader {
  // Sized by what arrives (a connection may stay open idle for long, and there may be thousands).
  private buffer = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Where the search for the head's end resumes. */
  private scanned = 0;
  private head: Head | null = null;
  private firstByteMs = 0;
  private lastReadMs = 0;
  private broken = false;
  private continueSent = false;
  private readonly limits: RequestReaderLimits;

  constructor(limits: RequestReaderLimits) {
    this.limits = limits;
  }

  /** Takes a copy of `chunk` (only valid during the read's callback), read at `atMs`. */
  push(chunk: Uint8Array, atMs: number): void {
    if (this.broken) return;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
      this.scanned = 0;
      this.firstByteMs = atMs;
      // One large request does not pin a large buffer to the connection for the rest of its life.
      if (this.buffer.byteLength > KEEP_BYTES) this.buffer = new Uint8Array(0);
    }
    this.lastReadMs = atMs;
    if (this.end + chunk.byteLength > this.buffer.byteLength) {
      // Move what is left to the front, into a larger buffer when it does not fit.
      const live = this.end - this.start;
      const target =
        live + chunk.byteLength > this.buffer.byteLength
          ? new Uint8Array(Math.max(MIN_BYTES, (live + chunk.byteLength) * 2))
          : this.buffer;
      if (target === this.buffer) target.copyWithin(0, this.start, this.end);
      else target.set(this.buffer.subarray(this.start, this.end), 0);
      this.scanned -= this.start;
      this.buffer = target;
      this.start = 0;
      this.end = live;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.byteLength;
  }

  /** Whether the request whose head is read asked to be told to go on before it sends its body (once). */
  takeContinue(): boolean {
    if (this.head === null || !this.head.expectContinue || this.continueSent) return false;
    this.continueSent = true;
    return true;
  }

  /** The next whole request, a framing error (nothing more is read after it), or null for "not yet". */
  next(): HttpRequest | HttpFramingError | null {
    if (this.broken) return null;
    if (this.head === null) {
      const headEnd = this.findHeadEnd();
      if (headEnd < 0) {
        if (this.end - this.start > this.limits.maxHeadBytes) return this.fail("request head too large", 431);
        return null;
      }
      const size = headEnd - this.start;
      if (size > this.limits.maxHeadBytes) return this.fail("request head too large", 431);
      const text = Buffer.from(this.buffer.buffer, this.buffer.byteOffset + this.start, size).toString(
        "latin1",
      );
      const head = parseHead(text.slice(0, -4), size);
      if ("error" in head) return this.fail(head.error, head.status);
      this.head = head;
    }
    const head = this.head;
    const bodyStart = this.start + head.size;
    // Taken before the request's bytes are consumed, which moves the stamp on to what follows them.
    const receivedMs = this.firstByteMs;
    if (head.chunked) return this.nextChunked(head, bodyStart, receivedMs);
    if (head.contentLength > this.limits.maxBodyBytes) {
      this.broken = true;
      return this.request(head, null, receivedMs);
    }
    if (this.end - bodyStart < head.contentLength) return null;
    const body = this.text(bodyStart, head.contentLength);
    this.consume(bodyStart + head.contentLength);
    return this.request(head, body, receivedMs);
  }

  private nextChunked(
    head: Head,
    bodyStart: number,
    receivedMs: number,
  ): HttpRequest | HttpFramingError | null {
    const parts: string[] = [];
    let at = bodyStart;
    let total = 0;
    for (;;) {
      const eol = this.indexOfCrLf(at);
      if (eol < 0) return null;
      const sizeText = Buffer.from(this.buffer.buffer, this.buffer.byteOffset + at, eol - at)
        .toString("latin1")
        .split(";")[0]!
        .trim();
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) return this.fail("malformed chunk size", 400);
      const size = Number.parseInt(sizeText, 16);
      if (size === 0) {
        // Trailers (if any) end with a blank line.
        let line = eol + 2;
        for (;;) {
          const next = this.indexOfCrLf(line);
          if (next < 0) return null;
          if (next === line) {
            this.consume(next + 2);
            return this.request(head, parts.join(""), receivedMs);
          }
          line = next + 2;
        }
      }
      total += size;
      if (total > this.limits.maxBodyBytes) {
        this.broken = true;
        return this.request(head, null, receivedMs);
      }
      if (this.end < eol + 2 + size + 2) return null;
      parts.push(this.text(eol + 2, size));
      at = eol + 2 + size + 2;
    }
  }

  private request(head: Head, body: string | null, receivedMs: number): HttpRequest {
    this.head = null;
    this.continueSent = false;
    const request: HttpRequest = {
      method: head.method,
      url: head.url,
      headers: head.headers,
      body,
      receivedMs,
      keepAlive: head.keepAlive && body !== null,
      http10: head.http10,
    };
    return request;
  }

  private fail(error: string, status: number): HttpFramingError {
    this.broken = true;
    return { error, status };
  }

  /** Drop bytes before `to`; what is left arrived no earlier than the latest read. */
  private consume(to: number): void {
    this.start = to;
    this.scanned = to;
    this.firstByteMs = this.lastReadMs;
  }

  private text(from: number, length: number): string {
    return Buffer.from(this.buffer.buffer, this.buffer.byteOffset + from, length).toString("utf8");
  }

  private findHeadEnd(): number {
    const b = this.buffer;
    const end = this.end;
    for (let i = Math.max(this.start, this.scanned - 3); i + 3 < end; i++) {
      if (b[i] === CR && b[i + 1] === LF && b[i + 2] === CR && b[i + 3] === LF) return i + 4;
    }
    this.scanned = end;
    return -1;
  }

  private indexOfCrLf(from: number): number {
    const b = this.buffer;
    for (let i = from; i + 1 < this.end; i++) if (b[i] === CR && b[i + 1] === LF) return i;
    return -1;
  }
}
