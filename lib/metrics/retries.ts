// Retry activity of one bucket of request records (load.request_retries), as inference-perf's
// summarize_retries counts it: constant cost per record, associative merge, snapshot() to a plain
// value or null when nothing retried (so a run without retries reports no `retries` block). Pure.
//
//   requests_retried   = requests sent more than once
//   attempts           = the extra sends they cost: Σ (attempts − 1)
//   recovered          = retried requests that ended in success
//   failed_after_retry = retried requests that failed anyway (out of attempts, or the retry got a
//                        non-retryable failure); recovered + failed_after_retry = requests_retried
//   wasted_sec         = per retried request, the time retrying cost: a recovered one, from its first
//                        send to its last attempt's send (the failed attempts and the backoff); a
//                        failed one, its whole life (first send to end). Every latency in the report
//                        already counts this time (it runs from the first send); this says how much
//                        of it was waste. wasted_sec_total is its sum.

import type { RequestRecord } from "../record/record.ts";
import { Distribution, type Summary } from "./distribution.ts";

/** Seconds retrying cost one request (see above); meaningful only when it was sent more than once. */
export function retryWastedS(record: RequestRecord): number {
  const until = record.failure === null ? record.lastAttemptMs : record.endMs;
  return (until - record.sentMs) / 1000;
}

export interface RetrySnapshot {
  requestsRetried: number;
  attempts: number;
  recovered: number;
  failedAfterRetry: number;
  wastedSecTotal: number;
  wastedSec: Summary | null;
  /** False when the wasted-time distribution switched to its sketch. */
  exact: boolean;
}

export class RetryTally {
  #retried = 0;
  #attempts = 0;
  #recovered = 0;
  #wastedTotal = 0;
  #wasted: Distribution;
  readonly #exactLimit: number | undefined;

  constructor(exactLimit?: number) {
    this.#exactLimit = exactLimit;
    this.#wasted = new Distribution(exactLimit);
  }

  add(record: RequestRecord): void {
    if (record.attempts <= 1) return;
    this.#retried++;
    this.#attempts += record.attempts - 1;
    if (record.failure === null) this.#recovered++;
    const wastedS = retryWastedS(record);
    this.#wastedTotal += wastedS;
    this.#wasted.add(wastedS);
  }

  /** A new tally holding both (neither input changes). Associative. */
  static merge(a: RetryTally, b: RetryTally): RetryTally {
    const out = new RetryTally(a.#exactLimit);
    out.#retried = a.#retried + b.#retried;
    out.#attempts = a.#attempts + b.#attempts;
    out.#recovered = a.#recovered + b.#recovered;
    out.#wastedTotal = a.#wastedTotal + b.#wastedTotal;
    out.#wasted = Distribution.merge(a.#wasted, b.#wasted);
    return out;
  }

  /** Null when no request of the bucket was retried. */
  snapshot(percentiles: readonly number[]): RetrySnapshot | null {
    if (this.#retried === 0) return null;
    return {
      requestsRetried: this.#retried,
      attempts: this.#attempts,
      recovered: this.#recovered,
      failedAfterRetry: this.#retried - this.#recovered,
      wastedSecTotal: this.#wastedTotal,
      wastedSec: this.#wasted.summarize(percentiles),
      exact: this.#wasted.exact,
    };
  }
}
