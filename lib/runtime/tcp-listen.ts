// The server side of the socket seam (tcp.ts is the client side): accept TCP connections and see each
// one as the same TcpConnection + TcpEvents pair the client transport uses. Under Bun it is Bun.listen
// (no stream/EventEmitter layer per read, which is what lets the simulator stamp a request's arrival
// within ~0.1 ms of the client's write: docs/PERFORMANCE.md "Measurement truth"); elsewhere node:net.

import type { TcpConnection, TcpEvents } from "./tcp.ts";
import { bunListen } from "./tcp-listen-bun.ts";
import { nodeListen } from "./tcp-listen-node.ts";

export interface TcpListenOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
}

export interface TcpListener {
  readonly host: string;
  readonly port: number;
  /** Stop accepting and drop every open connection; resolves once the listener is closed. */
  close(): Promise<void>;
}

/**
 * Called once per accepted connection with the connection to write to; returns the handler of its
 * events. onOpen is called right after, before any onData.
 */
export type TcpAccept = (connection: TcpConnection) => TcpEvents;

/** Rejects with the socket error when it cannot listen (its `code` is e.g. EADDRINUSE). */
export type TcpListen = (options: TcpListenOptions, accept: TcpAccept) => Promise<TcpListener>;

export const tcpListenAdapters: Readonly<Record<"bun" | "node", TcpListen>> = {
  bun: bunListen,
  node: nodeListen,
};

/** The adapter for the runtime we run on. */
export function defaultTcpListen(): TcpListen {
  return typeof Bun === "undefined" ? nodeListen : bunListen;
}
