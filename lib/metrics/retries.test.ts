// The retry tally against inference-perf's summarize_retries rules (its test_lifecycle_report_shape
// cases): partition, extra attempts, waste of recovered and failed requests, absence without retries.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { record } from "../record/record.testing.ts";
import type { RequestRecord } from "../record/record.ts";
import { RetryTally, retryWastedS } from "./retries.ts";
import { StageMetrics } from "./stage-metrics.ts";

const percentiles = [50];

function tally(records: readonly RequestRecord[]): RetryTally {
  const t = new RetryTally();
  for (const r of records) t.add(r);
  return t;
}

/** Sent at 1 s, last attempt sent `lastAfterS` later, ended `endAfterS` after the first send. */
function retried(
  attempts: number,
  ok: boolean,
  lastAfterS: number,
  endAfterS = lastAfterS + 1,
): RequestRecord {
  return record({
    sentMs: 1000,
    attempts,
    lastAttemptMs: 1000 + lastAfterS * 1000,
    endMs: 1000 + endAfterS * 1000,
    ...(ok ? {} : { failure: "dropped" as const, status: 0, tokenEventMs: [] }),
  });
}

test("nothing retried: no retries block at all, not a block of zeros", () => {
  expect(tally([record(), record({ failure: "dropped" })]).snapshot(percentiles)).toBeNull();
});

test("attempts counts the extra sends; recovered and failed_after_retry partition requests_retried", () => {
  const snapshot = tally([
    record(), // never retried: excluded
    retried(2, true, 1), // retried once, recovered
    retried(3, true, 2), // retried twice, recovered
    retried(3, false, 2), // retried twice, failed anyway
  ]).snapshot(percentiles);
  expect(snapshot).toMatchObject({ requestsRetried: 3, attempts: 5, recovered: 2, failedAfterRetry: 1 });
});

test("a recovered request wasted the time before its answering attempt; a failed one all of it", () => {
  // Recovered: first send → last attempt's send, 2 s. Failed: first send → end, 95 s.
  const recovered = retried(2, true, 2, 10);
  const failed = retried(3, false, 90, 95);
  expect(retryWastedS(recovered)).toBe(2);
  expect(retryWastedS(failed)).toBe(95);
  const snapshot = tally([record(), recovered, failed]).snapshot(percentiles);
  expect(snapshot?.wastedSecTotal).toBe(97);
  // Spread over the two retried requests only.
  expect(snapshot?.wastedSec).toEqual({ mean: 48.5, min: 2, median: 48.5, max: 95 });
});

test("a retry is not a failure: a recovered request counts as a success", () => {
  const metrics = new StageMetrics({ percentiles, maxErrorMessages: 10 });
  metrics.add(retried(3, true, 2));
  const snapshot = metrics.snapshot();
  expect(snapshot).toMatchObject({ successCount: 1, failureCount: 0, byLabel: {} });
  expect(snapshot.retries?.recovered).toBe(1);
  // Its latency counts every attempt and the backoff: from the first send.
  expect(snapshot.requestLatency?.mean).toBe(3);
});

test("merge() is the tally of the concatenated records", () => {
  const arb = fc.array(
    fc.record({ attempts: fc.integer({ min: 1, max: 4 }), ok: fc.boolean(), last: fc.nat(50) }),
    { maxLength: 20 },
  );
  fc.assert(
    fc.property(arb, arb, (a, b) => {
      const toRecords = (xs: typeof a) => xs.map((x) => retried(x.attempts, x.ok, x.last));
      const merged = RetryTally.merge(tally(toRecords(a)), tally(toRecords(b))).snapshot(percentiles);
      expect(merged).toEqual(tally([...toRecords(a), ...toRecords(b)]).snapshot(percentiles));
    }),
  );
});
