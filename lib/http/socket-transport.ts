// A keep-alive HTTP/1.1 client over raw sockets (lib/runtime/tcp.ts: Bun.connect under Bun,
// node:net/node:tls under Deno). One connection per in-flight request, reused afterwards, at most
// `maxConnections` open; requests beyond that queue for a connection. Chosen over fetch because Bun's
// fetch caps 256 in flight per origin, keeps only 64 idle sockets (reconnecting constantly above that)
// and has a ~300 s inactivity timeout (docs/runtime-facts.md §2); this client has no timeout but
// load.request_timeout. Connections the server closes leave the pool as they close; when and whether a
// request lost on a closed one is sent again is _keep-alive.ts's rule. Every request's outcome says
// how it used the pool (ConnectionUse), for the reports.
import { Buffer } from "node:buffer";
import type { FailureKind } from "../record/record.ts";
import { nowMs } from "../runtime/clock.ts";
import { defaultTcpConnect, type TcpConnect, type TcpConnection } from "../runtime/tcp.ts";
import { Fifo } from "./_fifo.ts";
import {
  CloseLearner,
  FIRST_HOLD_MS,
  isStaleClose,
  isTlsError,
  LATE_TIMER_MS,
  QUICK_CLOSE_MS,
  REFUSED_WINDOW_MS,
} from "./_keep-alive.ts";
import { RequestHead } from "./_request-head.ts";
import { HttpParseError, ResponseParser, ResponseTooLargeError } from "./response-parser.ts";
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
  /** load.max_response_bytes: a longer body ends the request as `too_large` and closes its connection. */
  maxResponseBytes?: number;
  /** TLS extras for https (client certificate for mTLS, CA, verification switch). */
  tls?: { cert?: string; key?: string; ca?: string; rejectUnauthorized?: boolean };
  /** Socket adapter; defaults to the runtime's own (tests and benchmarks pick one explicitly). */
  connect?: TcpConnect;
  /** A response header handed to onHeaders (api.session_token_header_key), or none. */
  watchHeader?: string | null;
}

interface Exchange {
  request: HttpRequest;
  handler: ResponseHandler;
  resolve: (outcome: SendOutcome) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  conn: Conn | null;
  gotBytes: boolean;
  retried: boolean;
  finished: boolean;
  /** When the current attempt was written. */
  writtenMs: number;
  /** How the first attempt got its connection. */
  connection: "new" | "reused" | "none";
  /** The connection this request opened (first attempt or re-send), for its connect time. */
  opened: Conn | null;
}

interface Conn {
  socket: TcpConnection;
  /** Completed at least one response: a close before any reply may be a stale keep-alive. */
  reused: boolean;
  exchange: Exchange | null;
  /** Reused for every response on this connection; its sink forwards to the current exchange. */
  parser: ResponseParser;
  closed: boolean;
  /** We closed it (timeout, bad bytes, `Connection: close` already counted, shutdown): not the server's close. */
  ours: boolean;
  startMs: number;
  /** Time from connect() to ready (TCP up, TLS done); NaN until then, and forever if it never came up. */
  connectMs: number;
  /** When its last response ended. */
  lastEndMs: number;
  /**
   * Held out of the pool after a response, watching for the server's close (see hold()): "first" after
   * its first response, "probation" while the server is known to close after responses; else null.
   */
  held: "first" | "probation" | null;
  holdTimer: ReturnType<typeof setTimeout> | undefined;
}

const encoder = new TextEncoder();

/**
 * Head and body in one write (one syscall, one segment): the body is copied once, behind the head.
 * Sized exactly, never cut with subarray: a view of a small, fresh Uint8Array makes JSC move its bytes
 * into a new ArrayBuffer first, which cost more than the rest of the write's JavaScript.
 */
function withHead(head: string, headBytes: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(headBytes + body.byteLength);
  encoder.encodeInto(head, out);
  out.set(body, headBytes);
  return out;
}

export function createSocketTransport(options: SocketTransportOptions): Transport {
  const url = new URL(options.baseUrl);
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:") throw new RangeError(`Unsupported URL scheme "${url.protocol}"`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (secure ? 443 : 80));
  const head = new RequestHead(url.pathname.replace(/\/+$/, ""), url.host);
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
  const waiting = new Fifo<Exchange>();
  const all = new Set<Conn>();
  const stats: TransportStats = { opened: 0, open: 0, retried: 0, serverClosed: 0 };
  // Connections on probation are open but done (their server closes them): not counted against
  // maxConnections. Those held after their first response will most likely serve the next request.
  let onProbation = 0;
  let heldFirst = 0;
  // Server closes not yet attributed to a finished request (see ConnectionUse.serverCloses).
  let unreportedCloses = 0;
  const learner = new CloseLearner();
  // Fastest connect so far: the round-trip estimate for the stale-close window.
  let rttMs = Number.NaN;
  let closed = false;

  function open(): Conn {
    const startMs = nowMs();
    // The adapter never calls back synchronously, so `conn` exists by the first event.
    const socket = connect(
      { host, port, tls },
      {
        onOpen: () => {
          conn.connectMs = nowMs() - conn.startMs;
          if (!(conn.connectMs >= rttMs)) rttMs = conn.connectMs;
        },
        onData: (chunk) => onData(conn, chunk),
        onClose: (error) => onClose(conn, error),
      },
    );
    const parser = new ResponseParser(
      {
        headers: (status, _keepAlive, watched) =>
          conn.exchange?.handler.onHeaders(status, lastDataMs, watched),
        body: (chunk) => conn.exchange?.handler.onData(chunk, lastDataMs),
        end: () => {},
      },
      // Each socket read is a buffer only the parser uses, during the call: framing can go in place.
      {
        inPlace: true,
        watchHeader: options.watchHeader ?? null,
        ...(options.maxResponseBytes === undefined ? {} : { maxBodyBytes: options.maxResponseBytes }),
      },
    );
    const conn: Conn = {
      socket,
      reused: false,
      exchange: null,
      parser,
      closed: false,
      ours: false,
      startMs,
      connectMs: Number.NaN,
      lastEndMs: Number.NaN,
      held: null,
      holdTimer: undefined,
    };
    stats.opened++;
    stats.open++;
    all.add(conn);
    return conn;
  }

  /** Sends `ex` on a connection opened for it. */
  function startNew(ex: Exchange): void {
    const conn = open();
    ex.opened = conn;
    if (ex.connection === "none") ex.connection = "new";
    start(ex, conn);
  }

  function start(ex: Exchange, conn: Conn): void {
    if (ex.connection === "none") ex.connection = conn.reused ? "reused" : "new";
    ex.conn = conn;
    conn.exchange = ex;
    ex.gotBytes = false;
    conn.parser.reset();
    const { request } = ex;
    const { body } = request;
    const text = typeof body === "string";
    const size = text ? Buffer.byteLength(body) : body.byteLength;
    const length = request.method === "POST" ? `Content-Length: ${size}\r\n` : "";
    const headText = `${head.block(request)}${length}\r\n`;
    // The Content-Length line and the blank line are ASCII: the head's UTF-8 length is the block's plus theirs.
    const bytes = text ? headText + body : withHead(headText, head.bytes + length.length + 2, body);
    // Stamped once the bytes are ready, just before they are handed over: assembling them (~50 µs on a
    // cold cache at low rates) is the client's time, so it is schedule delay, not server latency; the
    // write call's own cost is neither. A re-send keeps the first attempt's stamp, so latency counts
    // from the first send.
    ex.writtenMs = nowMs();
    if (!ex.retried) ex.handler.onSent(ex.writtenMs);
    conn.socket.write(bytes);
  }

  // Receive time of the chunk being parsed: one clock read per socket read, shared by its events
  // (reports count the inter-token gaps this makes zero: itl.same_read_fraction).
  let lastDataMs = 0;

  function onData(conn: Conn, chunk: Uint8Array): void {
    lastDataMs = nowMs();
    const ex = conn.exchange;
    if (ex === null) {
      // Bytes nobody asked for (e.g. a 408 on an idle connection): never reuse this connection.
      closeOurs(conn);
      return;
    }
    ex.gotBytes = true;
    const { parser } = conn;
    try {
      parser.feed(chunk);
    } catch (error) {
      const message = error instanceof HttpParseError ? error.message : String(error);
      const tooLarge = error instanceof ResponseTooLargeError;
      settle(
        ex,
        lastDataMs,
        tooLarge ? "too_large" : "parse_error",
        tooLarge ? `${message} (load.max_response_bytes)` : `Malformed HTTP response: ${message}`,
      );
      closeOurs(conn);
      return;
    }
    if (!parser.done) return;
    conn.exchange = null;
    const first = !conn.reused;
    if (!first) learner.keptAlive();
    conn.reused = true;
    conn.lastEndMs = lastDataMs;
    // `Connection: close` (or HTTP/1.0 without keep-alive) is the server closing: counted with this request.
    if (!parser.keepAlive) serverClosed();
    settle(ex, lastDataMs, null, "");
    if (!parser.keepAlive || parser.extraBytes) closeOurs(conn);
    else if (learner.closesAfterResponse) hold(conn, "probation");
    else if (first) hold(conn, "first");
    else release(conn);
  }

  function onClose(conn: Conn, error: Error | null): void {
    if (conn.closed) return;
    conn.closed = true;
    all.delete(conn);
    stats.open--;
    const at = nowMs();
    if (conn.held !== null) unhold(conn);
    if (!conn.ours) serverClosed();
    const ex = conn.exchange;
    conn.exchange = null;
    // Closed by the server before any byte of a next response: did it close right after the last one?
    if (!conn.ours && conn.reused && (ex === null || !ex.gotBytes)) learner.closed(at - conn.lastEndMs);
    if (ex === null) {
      // Idle or held: it leaves the pool now, before any request can pick it.
      const i = idle.indexOf(conn);
      if (i >= 0) idle.splice(i, 1);
    } else if (!ex.finished) {
      if (conn.parser.endOfConnection()) settle(ex, at, null, "");
      else if (
        conn.reused &&
        !ex.gotBytes &&
        !ex.retried &&
        !closed &&
        isStaleClose(ex.writtenMs, at, rttMs)
      ) {
        // A stale keep-alive: the server closed it as we reused it. Send again, once, on a fresh one.
        ex.retried = true;
        stats.retried++;
        startNew(ex);
      } else {
        const reason = error?.message ?? "connection closed by the server";
        // No response established and no TLS refusal: load.request_retries may send it again.
        const retryable = !conn.parser.headersRead && !isTlsError(error);
        if (ex.gotBytes) settle(ex, at, "stream_error", `Response cut: ${reason}`, retryable);
        else if (refused(conn, at, error)) settle(ex, at, "connect", `Cannot connect: ${reason}`, retryable);
        else settle(ex, at, "dropped", `No response: ${reason}`, retryable);
      }
    }
    serveWaiting();
  }

  /** A connection that never came up, failed in TLS, or was new and closed soon after coming up. */
  function refused(conn: Conn, at: number, error: Error | null): boolean {
    if (Number.isNaN(conn.connectMs) || isTlsError(error)) return true;
    return !conn.reused && at - (conn.startMs + conn.connectMs) <= REFUSED_WINDOW_MS;
  }

  function serverClosed(): void {
    stats.serverClosed++;
    unreportedCloses++;
  }

  /** Closes a connection on our side: its close is not counted as the server's. */
  function closeOurs(conn: Conn): void {
    conn.ours = true;
    conn.socket.destroy();
  }

  /**
   * Keeps a finished connection out of the pool for a moment, so a close the server sends right after
   * its response is seen before the connection is reused (llama.cpp's server closes after every
   * response with a bare FIN, which otherwise races the next request). "first": once per connection,
   * after its first response, for a few ms; requests that arrive meanwhile wait for it rather than
   * open another. "probation": after every response while the server is known to close after them,
   * for QUICK_CLOSE_MS; requests open their own connections. A connection still open afterwards goes
   * back to the pool (and, after probation, the server is taken to keep connections alive).
   */
  function hold(conn: Conn, kind: "first" | "probation"): void {
    conn.held = kind;
    if (kind === "first") heldFirst++;
    else onProbation++;
    armHold(conn, kind === "first" ? FIRST_HOLD_MS : QUICK_CLOSE_MS, kind === "first");
    // A slot freed by probation may let a waiting request open its own connection.
    if (kind === "probation") serveWaiting();
  }

  // Bun runs due timers before the socket events that queued up meanwhile, so a timer alone cannot say
  // "no close came": a first timer arms a short second one, which the event loop reaches only after
  // reading the sockets. A late second timer (a stalled loop) looks again the same way.
  function armHold(conn: Conn, delayMs: number, final: boolean): void {
    const dueMs = nowMs() + delayMs;
    conn.holdTimer = setTimeout(() => {
      if (!final || nowMs() - dueMs > LATE_TIMER_MS) return armHold(conn, LATE_TIMER_MS, true);
      // No close came: this server keeps connections alive after all.
      if (conn.held === "probation") learner.keptAlive();
      unhold(conn);
      release(conn);
    }, delayMs);
  }

  function unhold(conn: Conn): void {
    clearTimeout(conn.holdTimer);
    conn.holdTimer = undefined;
    if (conn.held === "first") heldFirst--;
    else onProbation--;
    conn.held = null;
  }

  function release(conn: Conn): void {
    const next = nextWaiting();
    if (next !== undefined) start(next, conn);
    else idle.push(conn);
  }

  function nextWaiting(): Exchange | undefined {
    let ex = waiting.shift();
    while (ex?.finished) ex = waiting.shift(); // timed out while waiting
    return ex;
  }

  function serveWaiting(): void {
    while (!closed && stats.open - onProbation < maxConnections) {
      const next = nextWaiting();
      if (next === undefined) return;
      startNew(next);
    }
  }

  function settle(
    ex: Exchange,
    endMs: number,
    kind: FailureKind | null,
    message: string,
    retryable = false,
  ): void {
    if (ex.finished) return;
    ex.finished = true;
    if (ex.timer !== undefined) clearTimeout(ex.timer);
    const serverCloses = unreportedCloses;
    unreportedCloses = 0;
    const connectMs = ex.opened?.connectMs ?? Number.NaN;
    const { connection, retried: resent } = ex;
    ex.resolve(
      kind === null
        ? { ok: true, endMs, connection, connectMs, resent, serverCloses }
        : { ok: false, endMs, kind, message, connection, connectMs, resent, serverCloses, retryable },
    );
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
        retried: false,
        finished: false,
        writtenMs: Number.NaN,
        connection: "none",
        opened: null,
      };
      if (closed) return settle(ex, nowMs(), "cancelled", "Transport closed");
      if (opts.timeoutMs !== null) {
        ex.timer = setTimeout(() => {
          settle(ex, nowMs(), "timeout", "Request timed out");
          // The connection is mid-response: it cannot be reused.
          if (ex.conn !== null && ex.conn.exchange === ex) closeOurs(ex.conn);
        }, opts.timeoutMs);
      }
      let conn = idle.pop();
      while (conn?.closed) conn = idle.pop();
      if (conn !== undefined) start(ex, conn);
      // A connection held after its first response is about to be free: wait for it, one request each.
      else if (heldFirst > waiting.size) waiting.push(ex);
      else if (stats.open - onProbation < maxConnections) startNew(ex);
      else waiting.push(ex);
    });
  }

  function close(): void {
    closed = true;
    for (const ex of waiting.drain()) settle(ex, nowMs(), "cancelled", "Interrupted");
    for (const conn of all) {
      if (conn.exchange !== null) settle(conn.exchange, nowMs(), "cancelled", "Interrupted");
      if (conn.held !== null) unhold(conn);
      closeOurs(conn);
    }
    idle.length = 0;
  }

  return { send, stats: () => ({ ...stats }), close };
}
