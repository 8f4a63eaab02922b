// A minimal client TCP/TLS connection, the one seam between the HTTP transport and the runtime's
// sockets. Under Bun it is Bun.connect (8-10 µs per read against node:net's ~13, docs/runtime-facts.md §2c);
// elsewhere (Deno) node:net/node:tls. Both keep the same contract, so the transport cannot tell them apart.
import { bunConnect } from "./tcp-bun.ts";
import { nodeConnect } from "./tcp-node.ts";

export interface TcpTlsOptions {
  /** SNI name; "" sends none (an IP address must not be sent as SNI). */
  servername: string;
  cert?: string;
  key?: string;
  ca?: string;
  rejectUnauthorized: boolean;
}

export interface TcpOptions {
  host: string;
  port: number;
  /** null for plain TCP. */
  tls: TcpTlsOptions | null;
}

/** What a connection reports. No onData after onClose; onClose comes exactly once, never synchronously. */
export interface TcpEvents {
  /** The connection is ready for bytes (TCP connected; for TLS, the handshake done). At most once, before any onData. */
  onOpen(): void;
  /** Bytes as read from the socket; only valid during the call. If it throws, the connection closes with that error. */
  onData(chunk: Uint8Array): void;
  /** The connection is gone: closed by either side, refused, or failed (then `error` says why). */
  onClose(error: Error | null): void;
}

export interface TcpConnection {
  /** Queue bytes (strings as UTF-8); writes made before the connection is up are sent once it is. */
  write(data: string | Uint8Array): void;
  /** Send what is queued, then close. */
  end(): void;
  /** Close now, dropping anything unsent. */
  destroy(): void;
}

/** Opens a connection at once (no await): the result accepts writes immediately. */
export type TcpConnect = (options: TcpOptions, events: TcpEvents) => TcpConnection;

export const tcpAdapters: Readonly<Record<"bun" | "node", TcpConnect>> = {
  bun: bunConnect,
  node: nodeConnect,
};

/** The adapter for the runtime we run on. */
export function defaultTcpConnect(): TcpConnect {
  return typeof Bun === "undefined" ? nodeConnect : bunConnect;
}
