// One HTTP/1.1 response on a served connection, with the small part of node:http's ServerResponse the
// simulator uses: writeHead, flushHeaders, write, end, destroy, on("close"). A response with a
// Content-Length is sent as is; one without is chunked. Each call is one socket write, so a streamed
// token leaves in the same write that the simulator stamps it for.
import { Buffer } from "node:buffer";

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Payload Too Large",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

/** What a response needs from its connection. */
export interface ResponseSink {
  write(data: string): void;
  /** Called once, after the last byte is written: `close` when the connection must not be reused. */
  finished(close: boolean): void;
  /** Drop the connection now, sending nothing more. */
  destroy(): void;
}

export class HttpResponse {
  statusCode = 200;
  headersSent = false;
  /** The connection is gone, or destroy() was called. */
  destroyed = false;
  private headerLines = "";
  private hasLength = false;
  private chunked = false;
  private closeAfter: boolean;
  private ended = false;
  private closeListeners: (() => void)[] = [];
  private closeEmitted = false;
  private readonly sink: ResponseSink;
  private readonly headOnly: boolean;
  private readonly http10: boolean;

  /** `http10`: the client cannot read chunks, so a body of unknown length ends with the connection. */
  constructor(sink: ResponseSink, keepAlive: boolean, headOnly: boolean, http10 = false) {
    this.sink = sink;
    this.closeAfter = !keepAlive;
    this.headOnly = headOnly;
    this.http10 = http10;
  }

  writeHead(status: number, headers: Record<string, string | number> = {}): this {
    if (this.headersSent) return this;
    this.statusCode = status;
    let lines = "";
    for (const name in headers) {
      const lower = name.toLowerCase();
      const value = String(headers[name]);
      if (lower === "content-length") this.hasLength = true;
      if (lower === "connection") {
        if (value.toLowerCase() === "close") this.closeAfter = true;
        continue;
      }
      lines += `${name}: ${value}\r\n`;
    }
    this.headerLines = lines;
    return this;
  }

  /** Send the status line and headers now (a stream's start). */
  flushHeaders(): void {
    if (this.headersSent || this.destroyed) return;
    this.sink.write(this.head(null));
  }

  /** A piece of the body (a chunk of a chunked response). */
  write(data: string): void {
    if (this.ended || this.destroyed) return;
    const head = this.headersSent ? "" : this.head(null);
    if (this.headOnly) {
      if (head !== "") this.sink.write(head);
      return;
    }
    if (data.length === 0) {
      if (head !== "") this.sink.write(head);
      return;
    }
    this.sink.write(
      this.chunked ? `${head}${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n` : head + data,
    );
  }

  /** The last of the body; the response is complete. */
  end(data = ""): void {
    if (this.ended || this.destroyed) return;
    this.ended = true;
    let out = this.headersSent ? "" : this.head(data);
    if (!this.headOnly) {
      if (this.chunked)
        out +=
          data.length > 0 ? `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n0\r\n\r\n` : "0\r\n\r\n";
      else out += data;
    }
    if (out !== "") this.sink.write(out);
    this.sink.finished(this.closeAfter);
    this.emitClose();
  }

  /** Drop the connection: nothing more is sent, not even a status line. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sink.destroy();
    this.emitClose();
  }

  /** node:http's response event this simulator listens to: the response ended or its connection went. */
  on(event: "close", listener: () => void): this {
    if (event === "close") this.closeListeners.push(listener);
    return this;
  }

  /** The connection closed under this response. */
  connectionClosed(): void {
    this.destroyed = true;
    this.emitClose();
  }

  private emitClose(): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    const listeners = this.closeListeners;
    this.closeListeners = [];
    // Later, as node:http does: never inside the handler's own write or end.
    queueMicrotask(() => {
      for (const listener of listeners) listener();
    });
  }

  /** The head; with `body` (end() before any header was sent) a missing Content-Length is filled in. */
  private head(body: string | null): string {
    this.headersSent = true;
    let lines = this.headerLines;
    if (!this.hasLength) {
      if (body !== null) lines += `content-length: ${Buffer.byteLength(body)}\r\n`;
      else if (this.http10) this.closeAfter = true;
      else {
        this.chunked = true;
        lines += "transfer-encoding: chunked\r\n";
      }
    }
    lines += this.closeAfter
      ? "connection: close\r\n"
      : "connection: keep-alive\r\nkeep-alive: timeout=60\r\n";
    return `HTTP/1.1 ${this.statusCode} ${REASONS[this.statusCode] ?? "Unknown"}\r\n${lines}\r\n`;
  }
}
