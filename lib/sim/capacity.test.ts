import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import { simCapacity } from "./capacity.ts";
import { createEngine } from "./engine.ts";
import { simDefaults } from "./options.ts";

describe("simCapacity()", () => {
  test.each([
    // slots, prefill, per token, itl, growth, P, n → req/s
    [256, 20, 0.05, 10, 0, 100, 128, 256 / 1.295], // the defaults: hold 20 + 5 + 127 × 10 = 1295 ms
    [4, 100, 0, 20, 0, 0, 5, 4 / 0.18], // hold 100 + 4 × 20 = 180 ms
    [8, 10, 0, 5, 0.1, 0, 11, 8 / 0.095], // itl 5 × (1 + 0.1 × 7) = 8.5 → hold 10 + 10 × 8.5 = 95 ms
  ])(
    "%d slots, prefill %d + %d/token, itl %d growth %d, P=%d n=%d → %f req/s",
    (maxNumSeqs, prefillMs, prefillMsPerToken, itlMs, itlGrowth, promptTokens, outputTokens, want) => {
      expect(
        simCapacity(
          { maxNumSeqs, prefillMs, prefillMsPerToken, itlMs, itlGrowth },
          { promptTokens, outputTokens },
        ),
      ).toBeCloseTo(want, 9);
    },
  );

  test("matches what a saturated engine completes, with and without ITL growth", () => {
    for (const itlGrowth of [0, 0.2]) {
      const params = {
        ...simDefaults,
        maxNumSeqs: 3,
        prefillMs: 12,
        prefillMsPerToken: 0.5,
        itlMs: 4,
        itlGrowth,
      };
      let now = 0;
      const engine = createEngine(params, { now: () => now, rng: createRng(1) });
      const ends: number[] = [];
      for (let i = 0; i < 90; i++) {
        engine.submit(
          { model: "m", promptTokens: 8, maxTokens: 16, ignoreEos: true },
          { onToken: (_, last, due) => last && ends.push(due) },
        );
      }
      for (; engine.pending > 0; now++) engine.advance(now);
      // 30 rounds of 3 slots each: the last request ends after 30 slot holds.
      expect(90 / (Math.max(...ends) / 1000)).toBeCloseTo(
        simCapacity(params, { promptTokens: 8, outputTokens: 16 }),
        6,
      );
    }
  });
});
