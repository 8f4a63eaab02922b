// The one interface every transport implements: send a request, hand response bytes to a handler as
// they arrive (stamped on the shared clock), report how it ended. Failures are values, never throws.
import type { FailureKind } from "../record/record.ts";

export interface HttpRequest {
  method: "GET" | "POST";
  /** Path on the server, e.g. "/v1/completions" (the base URL's own path is prefixed by the transport). */
  path: string;
  headers: Readonly<Record<string, string>>;
  /** JSON body ("" for GET): text, or its UTF-8 bytes as built ahead of time (never modified after). */
  body: string | Uint8Array;
}

/** Receives one request's progress. Times are ms on performance.timeOrigin + performance.now(). */
export interface ResponseHandler {
  /**
   * The request's first byte went to the socket. Called once: a re-send after a stale keep-alive close
   * keeps the first attempt's time, so the request's latency counts from when it was first sent.
   */
  onSent(atMs: number): void;
  /** `watched`: the value of the transport's watched response header (session token), else null. */
  onHeaders(status: number, atMs: number, watched?: string | null): void;
  /** Body bytes after transfer decoding (chunk framing removed). The chunk is only valid during the call. */
  onData(chunk: Uint8Array, atMs: number): void;
}

/** How one request used the connection pool; the record keeps it so reports can count per stage. */
export interface ConnectionUse {
  /** How its first attempt got a connection: opened for it, kept alive from an earlier response, or none (never sent). */
  connection: "new" | "reused" | "none";
  /** Time to establish the connection this request opened (its first attempt's or its re-send's), ms; NaN if none. */
  connectMs: number;
  /** Sent again on a fresh connection because the reused one was found closed by the server (a stale keep-alive). */
  resent: boolean;
  /**
   * Connections the server closed (`Connection: close`, HTTP/1.0, FIN or reset) that the transport saw
   * since the previous request it finished: each close is counted once, with the next request to end.
   */
  serverCloses: number;
}

/** Set by the retrying transport (load.request_retries); a plain transport sends each request once. */
export interface AttemptUse {
  /** Times the request was sent (first attempt included). */
  attempts?: number;
  /** When the last attempt's first byte went out; NaN when no attempt was written. */
  lastSentMs?: number;
}

export type SendOutcome = ConnectionUse &
  AttemptUse &
  (
    | { ok: true; endMs: number }
    | {
        ok: false;
        endMs: number;
        kind: FailureKind;
        message: string;
        /**
         * The connection failed before a response was established: refused, reset, or closed by the
         * server before the status line (not a TLS verification failure, not a timeout). Such a request
         * may be sent again under load.request_retries (inference-perf's is_retryable_transport_error).
         */
        retryable?: boolean;
      }
  );

export interface SendOptions {
  /** load.request_timeout in ms; null waits as long as the server takes (no hidden shorter timeout). */
  timeoutMs: number | null;
}

/** Running totals since the transport was created (reports count per stage from the records instead). */
export interface TransportStats {
  /** Connections opened so far. */
  opened: number;
  /** Connections open now (busy, idle, or finished and waiting for the server's close). */
  open: number;
  /** Requests re-sent once because a reused connection turned out to be closed by the server. */
  retried: number;
  /** Connections the server closed. */
  serverClosed: number;
}

export interface Transport {
  send(request: HttpRequest, handler: ResponseHandler, options: SendOptions): Promise<SendOutcome>;
  stats(): TransportStats;
  /** Close every connection; requests still running end as "cancelled". */
  close(): void;
}
