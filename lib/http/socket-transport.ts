// A keep-alive HTTP/1.1 client over raw sockets (lib/runtime/tcp.ts: Bun.connect under Bun,
// node:net/node:tls under Deno). One connection per in-flight request, reused afterwards, at most
// `maxConnections` open; requests beyond that queue for a connection. Chosen over fetch because Bun's
// fetch caps 256 in flight per origin, keeps only 64 idle sockets (reconnecting constantly above that)
// and has a ~300 s inactivity timeout (docs/runtime-facts.md §2); this client has no timeout but
// load.request_timeout.
import { Buffer } from "node:buffer";
import { nowMs } from "../runtime/clock.ts";
import { defaultTcpConnect, type TcpConnect, type TcpConnection } from "../runtime/tcp.ts";
import { HttpParseError, ResponseParser } from "./response-parser.ts";
import type {
  HttpRequest,
  ResponseHandler,
  SendOptions,
  SendOutcome,
  Transport,
  TransportStats,
} from "./transport.ts";

export interface SocketTransportOptions {
  /** Server base URL, http: or https:, possibly with a path prefix. */
  baseUrl: string;
  /** load.worker_max_tcp_connections. */
  maxConnections: number;
  /** TLS extras for https (client certificate for mTLS, CA, verification switch). */
  tls?: { cert?: string; key?: string; ca?: string; rejectUnauthorized?: boolean };
  /** Socket adapter; defaults to the runtime's own (tests and benchmarks pick one explicitly). */
  connect?: TcpConnect;
}

interface Exchange {
  request: HttpRequest;
  handler: ResponseHandler;
  resolve: (outcome: SendOutcome) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  conn: Conn | null;
  gotBytes: boolean;
  gotHeaders: boolean;
  retried: boolean;
  finished: boolean;
}

interface Conn {
  socket: TcpConnection;
  /** Completed at least one response: a failure before any reply may be a server-side idle close. */
  reused: boolean;
  exchange: Exchange | null;
  /** Reused for every response on this connection; its sink forwards to the current exchange. */
  parser: ResponseParser;
  closed: boolean;
}

const encoder = new TextEncoder();

/** Head and body in one write (one syscall, one segment): the body is copied once, behind the head. */
function withHead(head: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length * 3 + body.byteLength);
  const { written } = encoder.encodeInto(head, out);
  out.set(body, written);
  return out.subarray(0, written + body.byteLength);
}

export function createSocketTransport(options: SocketTransportOptions): Transport {
  const url = new URL(options.baseUrl);
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:") throw new RangeError(`Unsupported URL scheme "${url.protocol}"`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (secure ? 443 : 80));
  const prefix = url.pathname.replace(/\/+$/, "");
  const hostHeader = url.host;
  const maxConnections = Math.max(1, options.maxConnections);
  const connect = options.connect ?? defaultTcpConnect();
  const tls = secure
    ? {
        servername: /^[\d.:]+$/.test(host) ? "" : host,
        ...(options.tls?.cert === undefined ? {} : { cert: options.tls.cert }),
        ...(options.tls?.key === undefined ? {} : { key: options.tls.key }),
        ...(options.tls?.ca === undefined ? {} : { ca: options.tls.ca }),
        rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
      }
    : null;

  const idle: Conn[] = [];
  const waiting: Exchange[] = [];
  let waitHead = 0;
  const all = new Set<Conn>();
  const stats: TransportStats = { opened: 0, open: 0, retried: 0 };
  let closed = false;

  function open(): Conn {
    // The adapter never calls back synchronously, so `conn` exists by the first event.
    const socket = connect(
      { host, port, tls },
      { onData: (chunk) => onData(conn, chunk), onClose: (error) => onClose(conn, error) },
    );
    const parser = new ResponseParser(
      {
        headers: (status) => {
          const ex = conn.exchange;
          if (ex === null) return;
          ex.gotHeaders = true;
          ex.handler.onHeaders(status, lastDataMs);
        },
        body: (chunk) => conn.exchange?.handler.onData(chunk, lastDataMs),
        end: () => {},
      },
      // Each socket read is a buffer only the parser uses, during the call: framing can go in place.
      { inPlace: true },
    );
    const conn: Conn = { socket, reused: false, exchange: null, parser, closed: false };
    stats.opened++;
    stats.open++;
    all.add(conn);
    return conn;
  }

  function start(ex: Exchange, conn: Conn): void {
    ex.conn = conn;
    conn.exchange = ex;
    ex.gotBytes = false;
    ex.gotHeaders = false;
    conn.parser.reset();
    const { request } = ex;
    const { body } = request;
    const text = typeof body === "string";
    const size = text ? Buffer.byteLength(body) : body.byteLength;
    const length = request.method === "POST" ? `Content-Length: ${size}\r\n` : "";
    const head = `${headBlock(request)}${length}\r\n`;
    // Stamped as the bytes are handed over: the write call's own cost is not schedule delay.
    ex.handler.onSent(nowMs());
    conn.socket.write(text ? head + body : withHead(head, body));
  }

  // The request line and headers repeat from request to request (a stage builds the same headers each
  // time): keep the last block, flat, and rebuild it only when they change. Compared by value, so a
  // caller may reuse or build afresh its headers object.
  let lastMethod = "";
  let lastPath = "";
  let lastNames: string[] = [];
  let lastValues: string[] = [];
  let lastBlock = "";

  function headBlock(request: HttpRequest): string {
    const { headers } = request;
    if (request.method === lastMethod && request.path === lastPath && sameHeaders(headers)) return lastBlock;
    let block = `${request.method} ${prefix}${request.path} HTTP/1.1\r\nHost: ${hostHeader}\r\nAccept-Encoding: identity\r\n`;
    lastNames = [];
    lastValues = [];
    for (const name in headers) {
      const value = headers[name] as string;
      block += `${name}: ${value}\r\n`;
      lastNames.push(name);
      lastValues.push(value);
    }
    lastMethod = request.method;
    lastPath = request.path;
    lastBlock = block;
    return block;
  }

  /** Same names and values, in the same order (the order they are written in), as the kept block. */
  function sameHeaders(headers: Readonly<Record<string, string>>): boolean {
    let i = 0;
    for (const name in headers) {
      if (lastNames[i] !== name || lastValues[i] !== headers[name]) return false;
      i++;
    }
    return i === lastNames.length;
  }

  // Receive time of the chunk being parsed: one clock read per socket read, shared by its events.
  let lastDataMs = 0;

  function onData(conn: Conn, chunk: Uint8Array): void {
    lastDataMs = nowMs();
    const ex = conn.exchange;
    if (ex === null) {
      // Bytes nobody asked for (e.g. a 408 on an idle connection): never reuse this connection.
      conn.socket.destroy();
      return;
    }
    ex.gotBytes = true;
    const { parser } = conn;
    try {
      parser.feed(chunk);
    } catch (error) {
      const message = error instanceof HttpParseError ? error.message : String(error);
      settle(ex, {
        ok: false,
        endMs: lastDataMs,
        kind: "parse_error",
        message: `Malformed HTTP response: ${message}`,
      });
      conn.socket.destroy();
      return;
    }
    if (parser.done) {
      const reusable = parser.keepAlive && !parser.extraBytes;
      conn.exchange = null;
      conn.reused = true;
      settle(ex, { ok: true, endMs: lastDataMs });
      if (reusable) release(conn);
      else conn.socket.destroy();
    }
  }

  function onClose(conn: Conn, error: Error | null): void {
    if (conn.closed) return;
    conn.closed = true;
    all.delete(conn);
    stats.open--;
    const ex = conn.exchange;
    conn.exchange = null;
    if (ex !== null && !ex.finished) {
      const at = nowMs();
      if (conn.parser.endOfConnection()) settle(ex, { ok: true, endMs: at });
      else if (conn.reused && !ex.gotBytes && !ex.retried && !closed) {
        // The server closed a kept-alive connection as we reused it: send again, once, on a fresh one.
        ex.retried = true;
        stats.retried++;
        start(ex, open());
      } else {
        const reason = error?.message ?? "connection closed by the server";
        if (!ex.gotBytes)
          settle(ex, { ok: false, endMs: at, kind: "connect", message: `No response: ${reason}` });
        else settle(ex, { ok: false, endMs: at, kind: "stream_error", message: `Response cut: ${reason}` });
      }
    }
    serveWaiting();
  }

  function release(conn: Conn): void {
    const next = nextWaiting();
    if (next !== undefined) start(next, conn);
    else idle.push(conn);
  }

  function nextWaiting(): Exchange | undefined {
    while (waitHead < waiting.length) {
      const ex = waiting[waitHead]!;
      waiting[waitHead++] = undefined as unknown as Exchange;
      if (waitHead === waiting.length) {
        waiting.length = 0;
        waitHead = 0;
      }
      if (!ex.finished) return ex;
    }
    return undefined;
  }

  function serveWaiting(): void {
    while (!closed && stats.open < maxConnections) {
      const next = nextWaiting();
      if (next === undefined) return;
      start(next, open());
    }
  }

  function settle(ex: Exchange, outcome: SendOutcome): void {
    if (ex.finished) return;
    ex.finished = true;
    if (ex.timer !== undefined) clearTimeout(ex.timer);
    ex.resolve(outcome);
  }

  function send(request: HttpRequest, handler: ResponseHandler, opts: SendOptions): Promise<SendOutcome> {
    return new Promise((resolve) => {
      const ex: Exchange = {
        request,
        handler,
        resolve,
        timer: undefined,
        conn: null,
        gotBytes: false,
        gotHeaders: false,
        retried: false,
        finished: false,
      };
      if (closed)
        return settle(ex, { ok: false, endMs: nowMs(), kind: "cancelled", message: "Transport closed" });
      if (opts.timeoutMs !== null) {
        ex.timer = setTimeout(() => {
          settle(ex, { ok: false, endMs: nowMs(), kind: "timeout", message: "Request timed out" });
          // The connection is mid-response: it cannot be reused.
          if (ex.conn !== null && ex.conn.exchange === ex) ex.conn.socket.destroy();
        }, opts.timeoutMs);
      }
      let conn = idle.pop();
      while (conn?.closed) conn = idle.pop();
      if (conn !== undefined) start(ex, conn);
      else if (stats.open < maxConnections) start(ex, open());
      else waiting.push(ex);
    });
  }

  function close(): void {
    closed = true;
    for (const ex of waiting.slice(waitHead)) {
      if (ex !== undefined)
        settle(ex, { ok: false, endMs: nowMs(), kind: "cancelled", message: "Interrupted" });
    }
    waiting.length = 0;
    waitHead = 0;
    for (const conn of all) {
      if (conn.exchange !== null) {
        settle(conn.exchange, { ok: false, endMs: nowMs(), kind: "cancelled", message: "Interrupted" });
      }
      conn.socket.destroy();
    }
    idle.length = 0;
  }

  return { send, stats: () => ({ ...stats }), close };
}
