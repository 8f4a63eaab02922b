// The HTTP server the simulator listens with: HTTP/1.1 framed by hand (http-request-reader.ts,
// http-response.ts) over the runtime's listening sockets (tcp-listen.ts: Bun.listen, node:net
// elsewhere). node:http under Bun stamped a request ~0.2 ms after the client's write and delayed each
// write by as much again; that was most of the error floor of the truth log the client is measured
// against (docs/PERFORMANCE.md "Measurement truth"). Owning the socket also gives the fault injection
// what it needs: drop a connection with no response or mid-stream, or close after a response.
// Keep-alive, pipelined requests (answered in order), chunked request bodies and
// "Expect: 100-continue" are handled; idle connections close after a minute.
import { nowMs } from "./clock.ts";
import { type HttpRequest, RequestReader } from "./http-request-reader.ts";
import { HttpResponse, type ResponseSink } from "./http-response.ts";
import type { TcpConnection, TcpEvents } from "./tcp.ts";
import { defaultTcpListen, type TcpListen } from "./tcp-listen.ts";

export type { HttpRequest, HttpResponse };

export type RequestHandler = (req: HttpRequest, res: HttpResponse) => void;

export interface Listening {
  host: string;
  port: number;
  /** Stop accepting, drop open connections, resolve when closed. */
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** The clock requests are stamped with on arrival (the simulator's). */
  clock?: () => number;
  /** Largest request body read (larger: the handler gets body null, and the connection closes after). */
  maxBodyBytes?: number;
  /** For tests: the socket adapter. */
  tcpListen?: TcpListen;
}

/** Load generators keep one idle connection per slot; a server closing it between requests races them. */
const IDLE_CLOSE_MS = 60_000;
const MAX_HEAD_BYTES = 64 * 1024;

class ServedConnection implements TcpEvents, ResponseSink {
  readonly reader: RequestReader;
  response: HttpResponse | null = null;
  closed = false;
  /** No more requests are read: a framing error, or a response that closes the connection. */
  closing = false;
  idleSinceMs: number;
  private readonly socket: TcpConnection;
  private readonly handler: RequestHandler;
  private readonly clock: () => number;
  private readonly open: Set<ServedConnection>;

  constructor(
    socket: TcpConnection,
    handler: RequestHandler,
    clock: () => number,
    maxBodyBytes: number,
    open: Set<ServedConnection>,
  ) {
    this.socket = socket;
    this.handler = handler;
    this.clock = clock;
    this.open = open;
    this.reader = new RequestReader({ maxHeadBytes: MAX_HEAD_BYTES, maxBodyBytes });
    this.idleSinceMs = nowMs();
  }

  onOpen(): void {
    this.open.add(this);
  }

  onData(chunk: Uint8Array): void {
    if (this.closing) return;
    this.reader.push(chunk, this.clock());
    if (this.response === null) this.serveNext();
  }

  onClose(): void {
    this.closed = true;
    this.open.delete(this);
    this.response?.connectionClosed();
    this.response = null;
  }

  write(data: string): void {
    this.socket.write(data);
  }

  finished(close: boolean): void {
    this.response = null;
    this.idleSinceMs = nowMs();
    if (close || this.closing) {
      this.closing = true;
      this.socket.end();
      return;
    }
    // A request pipelined behind this one is answered once this handler's call has returned.
    queueMicrotask(() => {
      if (!this.closed && this.response === null) this.serveNext();
    });
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private serveNext(): void {
    const next = this.reader.next();
    if (next === null) {
      if (this.reader.takeContinue()) this.socket.write("HTTP/1.1 100 Continue\r\n\r\n");
      return;
    }
    if ("error" in next) {
      this.closing = true;
      const response = new HttpResponse(this, false, false);
      this.response = response;
      response.writeHead(next.status, { "content-type": "text/plain" }).end(`${next.error}\n`);
      return;
    }
    if (next.body === null) this.closing = true;
    const response = new HttpResponse(this, next.keepAlive, next.method === "HEAD", next.http10);
    this.response = response;
    this.handler(next, response);
  }
}

/** Listen on host:port (0 = any free port). Rejects with the socket error (e.g. code EADDRINUSE). */
export async function listen(handler: RequestHandler, options: ListenOptions): Promise<Listening> {
  const clock = options.clock ?? nowMs;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const open = new Set<ServedConnection>();
  const tcpListen = options.tcpListen ?? defaultTcpListen();
  const listener = await tcpListen(
    { host: options.host, port: options.port },
    (socket) => new ServedConnection(socket, handler, clock, maxBodyBytes, open),
  );
  const sweep = setInterval(() => {
    const now = nowMs();
    for (const conn of open)
      if (conn.response === null && now - conn.idleSinceMs > IDLE_CLOSE_MS) conn.destroy();
  }, 5_000);
  (sweep as { unref?: () => void }).unref?.();
  return {
    host: options.host,
    port: listener.port,
    close: () => {
      clearInterval(sweep);
      return listener.close();
    },
  };
}
