// TcpConnect over Bun.connect. Cheaper per read than node:net (no stream/EventEmitter layer), but
// Bun.connect is asynchronous and its write() is unbuffered: this wrapper queues what is written
// before the socket opens or beyond what the kernel takes, and sends it on open/drain.
import { Buffer } from "node:buffer";
import type { Socket, SocketHandler } from "bun";
import type { TcpConnection, TcpEvents, TcpOptions } from "./tcp.ts";

type Chunk = string | Uint8Array;

export class BunConnection implements TcpConnection {
  socket: Socket<BunConnection> | null = null;
  /** Unsent data, in order: written before open, or left over after a short write. */
  queue: Chunk[] = [];
  closed = false;
  ending = false;
  error: Error | null = null;
  /** Set once, before any event: a served connection learns its handler only after it is accepted. */
  events: TcpEvents;
  /** TLS with certificate verification: the connection is up only if the server was authorized. */
  readonly verify: boolean;

  constructor(events: TcpEvents, verify: boolean) {
    this.events = events;
    this.verify = verify;
  }

  write(data: Chunk): void {
    if (this.closed || this.ending) return;
    if (this.socket === null || this.queue.length > 0) this.queue.push(data);
    else this.send(this.socket, data);
  }

  /** Writes as much of `data` as the kernel takes; queues the rest. Returns whether all went. */
  send(socket: Socket<BunConnection>, data: Chunk): boolean {
    const written = socket.write(data);
    if (written < 0) return true; // closing: the close handler reports it
    const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
    if (written >= size) return true;
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    this.queue.unshift(bytes.subarray(written));
    return false;
  }

  flush(): void {
    const socket = this.socket;
    if (socket === null || this.closed) return;
    while (this.queue.length > 0) {
      if (!this.send(socket, this.queue.shift()!)) return;
    }
    if (this.ending) socket.end();
  }

  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    if (this.socket !== null && this.queue.length === 0) this.socket.end();
  }

  destroy(): void {
    if (this.closed) return;
    this.socket?.terminate();
    this.finish(null);
  }

  /** Reports the close once, on a later microtask (never inside the caller's write/destroy). */
  finish(error: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    queueMicrotask(() => this.events.onClose(error));
  }
}

// One handler table for every connection: per-socket state travels in socket.data, so opening a
// connection allocates no closures.
export const bunSocketHandlers: SocketHandler<BunConnection> = {
  // Plain Uint8Array views are cheaper to create (and to subarray) than Buffers. bun-types only
  // admits "buffer" in Bun.connect's options, hence the cast.
  binaryType: "uint8array" as "buffer",
  // For TLS, Bun calls `open` only once the handshake is done (there is no `handshake` handler).
  open(socket) {
    const conn = socket.data;
    if (conn.closed) {
      socket.terminate();
      return;
    }
    conn.socket = socket;
    socket.setNoDelay(true);
    // An unverified certificate still gets here (Bun closes it just after): never report it as open.
    if (conn.verify && !socket.authorized) {
      conn.error ??= socket.getAuthorizationError() ?? new Error("Server certificate not authorized");
      socket.terminate();
      conn.finish(conn.error);
      return;
    }
    conn.events.onOpen();
    conn.flush();
  },
  data(socket, chunk) {
    const conn = socket.data;
    if (!conn.closed) conn.events.onData(chunk);
  },
  drain(socket) {
    socket.data.flush();
  },
  // A handler that threw (our onData), or an established TLS session that failed: either way this
  // connection is done, and the error is the reason given for its close.
  error(socket, error) {
    const conn = socket.data;
    conn.error ??= error;
    socket.terminate();
    conn.finish(conn.error);
  },
  connectError(socket, error) {
    socket.data.finish(error);
  },
  close(socket, error) {
    const conn = socket.data;
    conn.finish(error ?? conn.error);
  },
};

export function bunConnect(options: TcpOptions, events: TcpEvents): TcpConnection {
  const { tls } = options;
  const conn = new BunConnection(events, tls?.rejectUnauthorized === true);
  Bun.connect<BunConnection>({
    hostname: options.host,
    port: options.port,
    data: conn,
    socket: bunSocketHandlers,
    ...(tls === null
      ? {}
      : {
          tls: {
            ...(tls.servername === "" ? {} : { serverName: tls.servername }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            rejectUnauthorized: tls.rejectUnauthorized,
          },
        }),
  }).catch((error: unknown) => {
    // connectError has normally reported it already; this covers a throw before any callback.
    conn.finish(error instanceof Error ? error : new Error(String(error)));
  });
  return conn;
}
