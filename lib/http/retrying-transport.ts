// load.request_retries, with inference-perf's semantics: a request whose connection failed before a
// response was established (refused, reset, or closed by the server before the status line; the
// transport marks these `retryable`) is sent again, at most `retries` more times, after a backoff of
// backoff_sec × 2^attempt × (0.5 + u), u uniform in [0, 1): the jitter keeps concurrent requests
// from retrying in a burst. Timeouts, TLS refusals and anything after the response began (a status,
// a cut stream, bad bytes) are results and are never retried.
//
// The request stays one request: one record, its onSent once (the first attempt's time, so its
// latency and TTFT count the failed attempts and the backoff, as inference-perf's start_time stays at
// dispatch), and the outcome says how many attempts it took and when the last one went out. A
// request waiting out its backoff holds its concurrency slot, as inference-perf's does. Wrapped
// around the socket transport only when request_retries > 0, so a run without retries pays nothing.
import { nowMs } from "../runtime/clock.ts";
import type { ResponseHandler, SendOutcome, Transport } from "./transport.ts";

export interface RetryPolicy {
  /** load.request_retries: attempts after the first. */
  retries: number;
  /** load.request_retry_backoff_sec, in ms: the first backoff's midpoint. */
  backoffMs: number;
  /** Uniform in [0, 1) (seeded by the caller). */
  random: () => number;
}

/** RequestRecord.lastAttemptMs from an outcome: the last attempt's send, else the request's first. */
export function lastAttemptMs(outcome: SendOutcome, firstSentMs: number): number {
  const last = outcome.lastSentMs;
  return last === undefined || Number.isNaN(last) ? firstSentMs : last;
}

/** The wait before retry number `attempt + 1` (attempt 0 is the first send). Pure. */
export function retryDelayMs(attempt: number, backoffMs: number, u: number): number {
  return backoffMs * 2 ** attempt * (0.5 + u);
}

export function withRetries(inner: Transport, policy: RetryPolicy): Transport {
  /** Backoffs in progress: close() ends them at once. */
  const sleeping = new Set<() => void>();
  let closed = false;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleeping.add(wake);
    });
  }

  async function send(
    request: Parameters<Transport["send"]>[0],
    handler: ResponseHandler,
    options: Parameters<Transport["send"]>[2],
  ): Promise<SendOutcome> {
    let firstSent = false;
    let headersSeen = false;
    let lastSentMs = Number.NaN;
    const attempt: ResponseHandler = {
      onSent(at) {
        lastSentMs = at;
        if (firstSent) return;
        firstSent = true;
        handler.onSent(at);
      },
      onHeaders(status, at, watched) {
        headersSeen = true;
        handler.onHeaders(status, at, watched);
      },
      onData: (chunk, at) => handler.onData(chunk, at),
    };
    let first: SendOutcome | null = null;
    let serverCloses = 0;
    let resent = false;
    for (let n = 0; ; n++) {
      let outcome = await inner.send(request, attempt, options);
      first ??= outcome;
      serverCloses += outcome.serverCloses;
      resent ||= outcome.resent;
      if (!outcome.ok && outcome.retryable === true && !headersSeen && n < policy.retries) {
        if (!closed) await sleep(retryDelayMs(n, policy.backoffMs, policy.random()));
        if (!closed) continue;
        // Interrupted while waiting to retry: the request ends as any in-flight request does then.
        outcome = { ...outcome, endMs: nowMs(), kind: "cancelled", message: "Interrupted", retryable: false };
      }
      // How the pool was used is the first attempt's, plus every close the attempts saw.
      outcome.connection = first.connection;
      if (Number.isNaN(outcome.connectMs)) outcome.connectMs = first.connectMs;
      outcome.resent = resent;
      outcome.serverCloses = serverCloses;
      outcome.attempts = n + 1;
      outcome.lastSentMs = lastSentMs;
      return outcome;
    }
  }

  return {
    send,
    stats: () => inner.stats(),
    close() {
      closed = true;
      for (const wake of [...sleeping]) wake();
      inner.close();
    },
  };
}
