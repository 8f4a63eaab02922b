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
  /** The request's first byte went to the socket (called again if a retry re-sends it). */
  onSent(atMs: number): void;
  onHeaders(status: number, atMs: number): void;
  /** Body bytes after transfer decoding (chunk framing removed). The chunk is only valid during the call. */
  onData(chunk: Uint8Array, atMs: number): void;
}

export type SendOutcome =
  | { ok: true; endMs: number }
  | { ok: false; endMs: number; kind: FailureKind; message: string };

export interface SendOptions {
  /** load.request_timeout in ms; null waits as long as the server takes (no hidden shorter timeout). */
  timeoutMs: number | null;
}

export interface TransportStats {
  /** Connections opened so far. */
  opened: number;
  /** Connections open now (busy or idle). */
  open: number;
  /** Requests re-sent once because a reused connection turned out to be closed by the server. */
  retried: number;
}

export interface Transport {
  send(request: HttpRequest, handler: ResponseHandler, options: SendOptions): Promise<SendOutcome>;
  stats(): TransportStats;
  /** Close every connection; requests still running end as "cancelled". */
  close(): void;
}
