import { describe, expect, test } from "bun:test";
import { parseYAML } from "confbox";
import fc from "fast-check";
import { build, problemsOf } from "./facts.testing.ts";
import { printConfig } from "./print.ts";

describe("printConfig()", () => {
  test("prints sections in inference-perf's order, ending with a newline", () => {
    const text = printConfig(build({ load: { stages: [{ rate: 1, duration: 2 }] } }).config);
    const sections = text
      .split("\n")
      .filter((line) => /^[a-z_]+:/.test(line))
      .map((line) => line.split(":")[0]);
    expect(sections).toEqual([
      "api",
      "server",
      "data",
      "load",
      "metrics",
      "report",
      "storage",
      "tokenizer",
      "circuit_breakers",
      // Ours, after all of inference-perf's sections.
      "thresholds",
    ]);
    expect(text.endsWith("\n")).toBe(true);
  });

  test("a printed config loads back to the same config, for any stages and sizes", () => {
    const rateStage = fc.record({
      rate: fc.double({ min: 0.001, max: 1e5, noNaN: true }),
      duration: fc.integer({ min: 1, max: 1e6 }),
    });
    const concurrentStage = fc.record({
      num_requests: fc.integer({ min: 1, max: 1e6 }),
      concurrency_level: fc.integer({ min: 1, max: 1e4 }),
    });
    const load = fc.oneof(
      fc.record({
        type: fc.constantFrom("constant", "poisson"),
        stages: fc.array(rateStage, { minLength: 1, maxLength: 4 }),
      }),
      fc.record({
        type: fc.constant("concurrent"),
        stages: fc.array(concurrentStage, { minLength: 1, maxLength: 4 }),
      }),
    );
    const raw = fc.record({
      load,
      api: fc.record({ type: fc.constantFrom("completion", "chat"), streaming: fc.boolean() }),
      data: fc.record({
        type: fc.constant("synthetic"),
        input_distribution: fc.record({ mean: fc.integer({ min: 10, max: 1000 }) }),
      }),
    });
    fc.assert(
      fc.property(raw, (input) => {
        const { config, fingerprint } = build(input);
        const again = build(parseYAML(printConfig(config)));
        expect(again.config).toEqual(config);
        expect(again.fingerprint).toBe(fingerprint);
      }),
      { numRuns: 100 },
    );
  });

  test("a missing required field says what it expects", () => {
    expect(problemsOf({ load: { sweep: {} } })).toEqual([
      'load.sweep.type: expected one of "geometric", "linear" (required), got nothing',
    ]);
  });
});
