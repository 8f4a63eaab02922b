import { expect, test } from "bun:test";
import { plannedRequests, RELAUNCH_MIN_REQUESTS, worthRelaunching } from "./allocator-relaunch.ts";

test.each([
  ["constant", [{ rate: 1000, duration: 5 }], 5000],
  [
    "poisson",
    [
      { rate: 10, duration: 3 },
      { rate: 20, duration: 3 },
    ],
    90,
  ],
  ["trace_replay", [{ rate: 2.5, duration: 3 }], 8],
  ["concurrent", [{ num_requests: 4000 }, { num_requests: 1000 }], 5000],
  ["trace_session_replay", [{ num_sessions: 30 }, {}], 30],
] as const)("a %s run plans %p: %p requests", (type, stages, count) => {
  expect(plannedRequests({ type, stages })).toBe(count);
});

test("a sweep counts as unbounded: a probe and stages of minutes each", () => {
  expect(plannedRequests({ type: "constant", stages: [], sweep: { type: "linear" } })).toBe(Infinity);
});

test("the bound is inclusive: 5 s at 1,000 req/s is long, one request less is not", () => {
  expect(RELAUNCH_MIN_REQUESTS).toBe(5000);
  expect(worthRelaunching({ type: "constant", stages: [{ rate: 1000, duration: 5 }] })).toBe(true);
  expect(worthRelaunching({ type: "concurrent", stages: [{ num_requests: 4999 }] })).toBe(false);
  // The quick start and the start-up benchmark are short.
  expect(
    worthRelaunching({
      type: "constant",
      stages: [
        { rate: 10, duration: 3 },
        { rate: 20, duration: 3 },
      ],
    }),
  ).toBe(false);
});
