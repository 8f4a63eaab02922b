// The per-request record: what a worker measured for one request, as the main thread sees it after
// decoding a batch. This is the contract between the send path (lib/worker, lib/http, lib/api) and
// everything after it (lib/metrics, lib/report). Pure type definitions.
//
// Times are milliseconds on one clock shared by every thread: performance.timeOrigin + performance.now()
// (monotonic within a run; see docs/ARCHITECTURE.md). Reports convert to seconds.

/** Why a request failed. `null` on a success. */
export type FailureKind =
  | "connect" // could not connect: refused, unreachable, TLS refused, or a new one closed at once
  | "dropped" // the server closed the connection after having the request a while, before any response byte
  | "timeout" // load.request_timeout elapsed
  | "http_status" // a non-2xx status
  | "stream_error" // the stream was cut, or an error object arrived inside a 200 stream
  | "parse_error" // a body or event that was not the JSON we expected
  | "too_large" // the response body passed load.max_response_bytes
  | "cancelled" // aborted by an interrupt before completing
  | "other";

export const failureKinds: readonly FailureKind[] = [
  "connect",
  "dropped",
  "timeout",
  "http_status",
  "stream_error",
  "parse_error",
  "too_large",
  "cancelled",
  "other",
];

/**
 * One image, video or audio instance a request carried, measured as inference-perf measures it
 * (its `payloads` metrics): pixels per image or per video frame, encoded bytes (before base64), width
 * over height, frames of a video, seconds of audio (0 where a field does not apply).
 */
export interface MediaInstance {
  kind: "image" | "video" | "audio";
  pixels: number;
  bytes: number;
  aspectRatio: number;
  frames: number;
  seconds: number;
}

export interface RequestRecord {
  /** Stage index (0-based); the sweep's saturation probe uses -1 and is excluded from reports. */
  stageId: number;
  workerId: number;
  /** Index of the request within its stage's schedule (0-based). */
  index: number;
  /** When the schedule wanted it sent. */
  scheduledMs: number;
  /** When the first byte of the request was handed to the socket. */
  sentMs: number;
  /** When the response headers arrived; NaN when none did. */
  headersMs: number;
  /** When the response was complete (or the failure was seen). */
  endMs: number;
  /** Arrival time of every token-bearing event (non-empty text, content or reasoning), in order. */
  tokenEventMs: readonly number[];
  /** Whether the response was streamed (SSE). TTFT/ITL/TPOT exist only for streamed successes. */
  streamed: boolean;
  /** HTTP status, or 0 when no response arrived. */
  status: number;
  failure: FailureKind | null;
  /** Short error text for failures (server message or exception), else "". */
  errorMessage: string;
  /** Prompt tokens: the server's usage.prompt_tokens when present, else the client's count. */
  promptTokens: number;
  promptTokensSource: "server" | "client";
  /** usage.prompt_tokens_details.cached_tokens, 0 when absent. */
  cachedPromptTokens: number;
  /** Whether the server's usage carried cached_tokens at all (a 0 then means no prefix-cache hit). */
  cacheReported: boolean;
  /** Output tokens counted by the client from the received text (tokenizer), -1 if not counted. */
  clientOutputTokens: number;
  /** usage.completion_tokens from the server, -1 when absent. */
  serverOutputTokens: number;
  /** UTF-8 size of the request body in bytes. */
  requestBytes: number;
  /** The LoRA adapter sent in `model`, or null for the base model. */
  adapter: string | null;
  // How the request used the connection pool (lib/http/transport.ts ConnectionUse); the reports'
  // `connections` block counts these per stage.
  /** How its first attempt got a connection: opened for it, kept alive from an earlier response, or none (never sent). */
  connection: "new" | "reused" | "none";
  /** Time to establish the connection it opened (first attempt's or re-send's), ms; NaN when none came up. */
  connectMs: number;
  /** Sent again on a fresh connection after a stale keep-alive close; sentMs stays the first attempt's. */
  resent: boolean;
  /** Server-side connection closes the transport saw since the previous request it finished. */
  serverCloses: number;
  /**
   * Times the request was sent: 1, or more when load.request_retries sent it again after a connection
   * failure before any response (lib/http/retrying-transport.ts). sentMs stays the first attempt's.
   */
  attempts: number;
  /** When the last attempt's first byte went to the socket: sentMs for a request sent once. */
  lastAttemptMs: number;
  /**
   * With api.response_format: whether a success's output text parsed as JSON. Absent when not
   * checked (no response_format, a failure, or a record file written before the check existed).
   */
  outputJson?: "valid" | "invalid";
  /** The media the request carried, in content order; null for a text-only request. */
  media: readonly MediaInstance[] | null;
  /**
   * The session the request belongs to (a number unique within its stage, named by the run's session
   * table), or -1 when it belongs to none.
   */
  session: number;
}

/** The exception type inference-perf names for each kind of failure (`HTTP Error` gets the status added). */
export const errorTypes: Readonly<Record<FailureKind, string>> = {
  connect: "ConnectionError",
  // aiohttp's name for it, which inference-perf reports.
  dropped: "ServerDisconnectedError",
  timeout: "TimeoutError",
  http_status: "HTTP Error",
  stream_error: "StreamError",
  parse_error: "ParseError",
  too_large: "ResponseTooLargeError",
  cancelled: "CancelledError",
  other: "Error",
};

/** Output tokens used for throughput and TPOT: the server's count when present, else the client's. */
export function outputTokens(record: RequestRecord): number {
  if (record.serverOutputTokens >= 0) return record.serverOutputTokens;
  return Math.max(0, record.clientOutputTokens);
}
