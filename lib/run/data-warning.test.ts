import { describe, expect, test } from "bun:test";
import { type BuilderHealth, builderWarning, sustainedRate } from "./data-warning.ts";

const base: BuilderHealth = {
  stageId: 2,
  dataType: "random",
  requestedRate: 1000,
  sent: 2000,
  waitedForBody: 0,
  builders: [
    { built: 1000, buildMs: 2000 }, // 500 req/s
    { built: 1000, buildMs: 4000 }, // 250 req/s
  ],
};

describe("builderWarning()", () => {
  test("says nothing when every body was ready in time", () => {
    expect(builderWarning(base)).toBeNull();
  });

  test("names the generator, the rate its builders sustained and how many requests went late", () => {
    const line = builderWarning({ ...base, waitedForBody: 500 });
    expect(line).toContain("Stage 2: 500 of 2000 requests (25.0%) waited for their body");
    expect(line).toContain('data generator "random" built about 750 req/s on its 2 builders');
    expect(line).toContain("below the 1,000 req/s requested");
    expect(line).toContain("schedule_delay");
  });

  test("a single late request in a rate stage is still reported, even when the average rate sufficed", () => {
    const line = builderWarning({ ...base, requestedRate: 100, waitedForBody: 1 });
    expect(line).toContain("1 of 2000 requests");
    expect(line).toContain("not at every moment");
  });

  test("a closed loop is reported only when more than 1% of its sends waited for a body", () => {
    const closed = { ...base, requestedRate: null };
    expect(builderWarning({ ...closed, waitedForBody: 20 })).toBeNull();
    expect(builderWarning({ ...closed, waitedForBody: 21 })).toContain("set the closed loop's pace");
  });
});

test("sustainedRate() adds each builder's requests per second of building, skipping idle ones", () => {
  expect(sustainedRate(base.builders)).toBe(750);
  expect(sustainedRate([{ built: 0, buildMs: 0 }])).toBe(0);
  expect(sustainedRate([{ built: 5, buildMs: 0 }])).toBe(Infinity);
});
