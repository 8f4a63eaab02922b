import { describe, expect, test } from "bun:test";
import {
  describeTrace,
  peakPerSecond,
  type TraceColumns,
  traceOffsets,
  traceSizes,
  traceStageCount,
} from "./trace.ts";

function columns(offsets: number[], sizes: [number, number][] = offsets.map(() => [10, 5])): TraceColumns {
  return {
    file: "/some/dir/prod.csv",
    count: offsets.length,
    offsetsMs: Float64Array.from(offsets),
    inputTokens: Int32Array.from(sizes.map((s) => s[0])),
    outputTokens: Int32Array.from(sizes.map((s) => s[1])),
  };
}

describe("traceOffsets()", () => {
  test("replays the trace's offsets exactly, as a copy the caller may transfer", () => {
    const trace = columns([0, 0.25, 500, 500, 2500.125]);
    const offsets = traceOffsets(trace);
    expect([...offsets]).toEqual([0, 0.25, 500, 500, 2500.125]);
    offsets[0] = 99;
    expect(trace.offsetsMs[0]).toBe(0);
  });

  test("takes the first `count` rows", () => {
    expect([...traceOffsets(columns([0, 1, 2, 3]), 2)]).toEqual([0, 1]);
    expect(traceOffsets(columns([0, 1]), 0).length).toBe(0);
  });

  test("refuses a count beyond the trace", () => {
    expect(() => traceOffsets(columns([0, 1]), 3)).toThrow(RangeError);
    expect(() => traceOffsets(columns([0, 1]), 1.5)).toThrow(RangeError);
  });
});

describe("traceSizes()", () => {
  test("gives each row's input and output token counts", () => {
    const trace = columns(
      [0, 1, 2],
      [
        [119, 36],
        [314, 36],
        [34, 27],
      ],
    );
    expect([0, 1, 2].map((i) => traceSizes(trace, i))).toEqual([
      { inputTokens: 119, outputTokens: 36 },
      { inputTokens: 314, outputTokens: 36 },
      { inputTokens: 34, outputTokens: 27 },
    ]);
    expect(() => traceSizes(trace, 3)).toThrow(RangeError);
  });
});

describe("traceStageCount()", () => {
  test.each([
    // timing rows, data rows, rate, duration → count, has a note
    [40, 40, 1, 10, 40, false], // data.trace = load.trace: the whole trace
    [40, null, 2, 20, 40, false], // no data.trace: int(rate × duration) = 40
    [40, null, 1, 10, 10, true], // no data.trace: the first 10 rows
    [40, null, 10, 60, 40, true], // int(rate × duration) = 600 > 40: capped (inference-perf would fail)
    [40, 100, 1, 1, 40, true], // data.trace longer than load.trace: capped
    [40, 25, 1, 1, 25, true], // data.trace shorter: its length
  ])(
    "timing %p rows, data %p rows, %p req/s × %p s → %p requests",
    (timingRows, dataRows, rate, durationS, count, hasNote) => {
      const result = traceStageCount({ timingRows, dataRows, rate, durationS });
      expect(result.count).toBe(count);
      expect(result.note !== null).toBe(hasNote);
    },
  );
});

describe("describeTrace() and peakPerSecond()", () => {
  test("describes the trace's size, span, mean rate and busiest second", () => {
    // 5 rows in the first second, then 1 at 3.0 s and 1 at 4.0 s: span 4.0 s, mean 7 / 4 = 1.75 req/s
    const trace = columns([0, 100, 200, 300, 999, 3000, 4000]);
    expect(describeTrace(trace)).toBe(
      'trace "prod.csv": 7 requests over 4.0 s (mean 1.75 req/s, peak 5 in one second)',
    );
  });

  test.each([
    [[0, 999.9, 1000], 2], // [0, 1000) holds 2; 1000 starts a new window
    [[0, 0, 0, 0], 4],
    [[0, 1000, 2000], 1],
    [[], 0],
  ])("peakPerSecond(%p) = %p", (offsets, expected) => {
    expect(peakPerSecond(Float64Array.from(offsets))).toBe(expected);
  });
});
