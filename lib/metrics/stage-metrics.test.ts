import { expect, test } from "bun:test";
import fc from "fast-check";
import { record } from "../record/record.testing.ts";
import type { RequestRecord } from "../record/record.ts";
import { Distribution } from "./distribution.ts";
import { forEachItlGap, requestLatency } from "./latency.ts";
import { LATE_SEND_MS, StageMetrics } from "./stage-metrics.ts";

const percentiles = [10, 50, 90, 99];

const recordArb: fc.Arbitrary<RequestRecord> = fc
  .record({
    sentMs: fc.double({ min: 1000, max: 2000, noNaN: true }),
    // Zero gaps are events of one socket read (one stamp): generated often, as real streams have them.
    gaps: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 80, noNaN: true })), { maxLength: 25 }),
    tail: fc.double({ min: 0, max: 50, noNaN: true }),
    streamed: fc.boolean(),
    server: fc.integer({ min: -1, max: 30 }),
    client: fc.integer({ min: -1, max: 30 }),
    failed: fc.boolean(),
  })
  .map(({ sentMs, gaps, tail, streamed, server, client, failed }) => {
    const tokenEventMs: number[] = [];
    let at = sentMs;
    for (const gap of gaps) tokenEventMs.push((at += gap));
    return record({
      sentMs,
      scheduledMs: sentMs - 0.1,
      tokenEventMs,
      endMs: at + tail,
      streamed,
      serverOutputTokens: server,
      clientOutputTokens: client,
      failure: failed ? "stream_error" : null,
    });
  });

test("per-record latency samples equal latency.ts's requestLatency and ITL gaps exactly, same-read gaps are the zero ones (property)", () => {
  fc.assert(
    fc.property(fc.array(recordArb, { maxLength: 30 }), (records) => {
      const metrics = new StageMetrics({ percentiles, maxErrorMessages: 10 });
      const want = {
        requestLatency: new Distribution(),
        ntpot: new Distribution(),
        tpot: new Distribution(),
        ttft: new Distribution(),
        itl: new Distribution(),
      };
      let gaps = 0;
      let zeroGaps = 0;
      for (const r of records) {
        metrics.add(r);
        if (r.failure !== null) continue;
        const latency = requestLatency(r);
        want.requestLatency.add(latency.requestLatency);
        want.ntpot.add(latency.ntpot);
        if (latency.tpot !== null) want.tpot.add(latency.tpot);
        if (latency.ttft !== null) want.ttft.add(latency.ttft);
        forEachItlGap(r, (gap) => {
          want.itl.add(gap);
          gaps++;
          if (gap === 0) zeroGaps++;
        });
      }
      const closed = metrics.snapshot();
      expect(closed.requestLatency).toEqual(want.requestLatency.summarize(percentiles));
      expect(closed.ntpot).toEqual(want.ntpot.summarize(percentiles));
      expect(closed.tpot).toEqual(want.tpot.summarize(percentiles));
      expect(closed.ttft).toEqual(want.ttft.summarize(percentiles));
      expect(closed.itl).toEqual(want.itl.summarize(percentiles));
      expect(closed.itlGaps).toBe(gaps);
      expect(closed.sameReadGaps).toBe(zeroGaps);
    }),
    { numRuns: 300 },
  );
});

test("requests that left more than LATE_SEND_MS after their send time are counted, failed ones too, and merges add them", () => {
  const options = { percentiles, maxErrorMessages: 10 };
  const a = new StageMetrics(options);
  const b = new StageMetrics(options);
  // Delays 0, exactly LATE_SEND_MS (on time), just over it, well over it (a failure), early.
  for (const delay of [0, LATE_SEND_MS, LATE_SEND_MS + 0.001, 5])
    a.add(record({ scheduledMs: 1000, sentMs: 1000 + delay, failure: delay === 5 ? "stream_error" : null }));
  b.add(record({ scheduledMs: 1000, sentMs: 999 }));
  b.add(record({ scheduledMs: 1000, sentMs: 1003 }));
  expect(a.snapshot().lateSends).toBe(2);
  expect(b.snapshot().lateSends).toBe(1);
  expect(StageMetrics.merge(a, b).snapshot().lateSends).toBe(3);
  expect(new StageMetrics(options).snapshot().lateSends).toBe(0);
});
