import { test } from "bun:test";
import { readFileSync } from "node:fs";
import { estimateSaturation } from "./saturation.ts";
test("eval", () => {
  for (let i = 1; i <= 8; i++) {
  const d = JSON.parse(readFileSync(`/tmp/probe${i}.json`, "utf8"));
  const r = estimateSaturation({ failures: 0, startMs: 0, timeoutS: 4, percentile: 95, completions: d.recs.map((x: number[]) => ({ sentMs: x[0], endMs: x[1] })) });
  console.log(i, r.maxRate.toFixed(1), r.burnRate.median.toFixed(1), r.burnRate.max.toFixed(1), r.completions, r.warmupS, r.minLatencyS, r.windowS);
  }
});
