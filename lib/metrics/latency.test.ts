import { expect, test } from "bun:test";
import { record } from "../record/record.testing.ts";
import { forEachItlGap, requestLatency } from "./latency.ts";

test("a streamed success gives latency, TTFT, TPOT over first-to-last token, NTPOT and ITL gaps", () => {
  // Sent at 1000 ms; token events at 1020, 1030, 1045, 1060; end 1100; 4 output tokens.
  const r = record({ tokenEventMs: [1020, 1030, 1045, 1060], serverOutputTokens: 4, clientOutputTokens: 4 });
  const m = requestLatency(r);
  expect(m.requestLatency).toBeCloseTo(0.1, 12);
  expect(m.ttft).toBeCloseTo(0.02, 12);
  expect(m.tpot).toBeCloseTo(0.04 / 3, 12); // (1060 − 1020) ms over 3 gaps
  expect(m.ntpot).toBeCloseTo(0.1 / 4, 12);
  expect(m.meanItl).toBeCloseTo(0.04 / 3, 12);
  const gaps: number[] = [];
  forEachItlGap(r, (g) => gaps.push(g));
  expect(gaps.map((g) => Math.round(g * 1e6))).toEqual([10_000, 15_000, 15_000]);
});

test("TPOT divides by output tokens, not events, when chunks carry several tokens", () => {
  // 3 events carrying 9 tokens over 40 ms: TPOT = 40 ms / 8.
  const m = requestLatency(record({ tokenEventMs: [1020, 1040, 1060], serverOutputTokens: 9 }));
  expect(m.tpot).toBeCloseTo(0.005, 12);
});

test("one token event gives a TTFT but no TPOT or ITL", () => {
  const m = requestLatency(record({ tokenEventMs: [1030], serverOutputTokens: 1 }));
  expect(m.ttft).toBeCloseTo(0.03, 12);
  expect(m.tpot).toBeNull();
  expect(m.meanItl).toBeNull();
});

test("a unary response has no TTFT, TPOT or ITL; zero output tokens make NTPOT 0", () => {
  const r = record({ streamed: false, tokenEventMs: [], serverOutputTokens: 0, clientOutputTokens: 0 });
  expect(requestLatency(r)).toEqual({ requestLatency: 0.1, ttft: null, tpot: null, ntpot: 0, meanItl: null });
});

test("the server's output count wins over the client's for TPOT and NTPOT", () => {
  const m = requestLatency(record({ serverOutputTokens: 10, clientOutputTokens: 5 }));
  expect(m.ntpot).toBeCloseTo(0.01, 12);
  const client = requestLatency(record({ serverOutputTokens: -1, clientOutputTokens: 5 }));
  expect(client.ntpot).toBeCloseTo(0.02, 12);
});
