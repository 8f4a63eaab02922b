import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formatPath, parsePath } from "./_path.ts";
import { applyOverrides, coerceValue, parseOverride } from "./overrides.ts";

describe("coerceValue()", () => {
  test.each([
    ["200", 200],
    ["-1.5", -1.5],
    ["1e3", 1000],
    ["true", true],
    ["false", false],
    ["null", null],
    ['[{"rate": 10, "duration": 60}]', [{ rate: 10, duration: 60 }]],
    ['{"x-team": "a"}', { "x-team": "a" }],
    ['"007"', "007"],
    ["http://h:8000", "http://h:8000"],
    ["chat", "chat"],
  ])("%j becomes %j", (text, expected) => {
    expect(coerceValue(text)).toEqual(expected);
  });

  test("broken JSON is an error, not a string", () => {
    expect(() => coerceValue("[1, 2")).toThrow('Cannot parse --set value "[1, 2": expected JSON');
  });
});

describe("parseOverride()", () => {
  test.each([
    ["load.stages[0].rate=200", ["load", "stages", 0, "rate"], 200],
    ["load.stages.0.rate=200", ["load", "stages", 0, "rate"], 200],
    ["server.base_url=http://h:1/v1?a=b", ["server", "base_url"], "http://h:1/v1?a=b"],
    ["api.streaming=true", ["api", "streaming"], true],
  ])("%s", (text, path, value) => {
    expect(parseOverride(text)).toEqual({ path, value });
  });

  test.each(["rate", "=5", "load..rate=1", "[0]=1"])("%j is refused", (text) => {
    expect(() => parseOverride(text)).toThrow("expected path=value");
  });
});

describe("applyOverrides()", () => {
  test("sets values in order, creating sections and appending list items", () => {
    const base = { load: { stages: [{ rate: 1, duration: 10 }] } };
    const out = applyOverrides(base, [
      "load.stages[0].rate=200",
      "load.stages[1].rate=5",
      "load.stages[1].duration=3",
      "server.base_url=http://x",
      "load.stages[0].rate=300",
    ]);
    expect(out).toEqual({
      load: {
        stages: [
          { rate: 300, duration: 10 },
          { rate: 5, duration: 3 },
        ],
      },
      server: { base_url: "http://x" },
    });
    expect(base.load.stages[0]?.rate).toBe(1);
  });

  test("a whole list can be replaced with JSON, as inference-perf's --load.stages", () => {
    expect(applyOverrides({ load: { stages: [] } }, ['load.stages=[{"rate":2,"duration":4}]'])).toEqual({
      load: { stages: [{ rate: 2, duration: 4 }] },
    });
  });

  test("an index past the end of a list is refused", () => {
    expect(() => applyOverrides({ load: { stages: [] } }, ["load.stages[3].rate=1"])).toThrow(
      "Cannot apply --set load.stages[3].rate: load.stages has 0 items",
    );
  });

  test("descending into a scalar is refused", () => {
    expect(() => applyOverrides({ api: { type: "chat" } }, ["api.type.x=1"])).toThrow(
      "Cannot apply --set api.type.x: api.type is not a map",
    );
  });
});

test("formatPath() and parsePath() round-trip any path of names and indexes", () => {
  const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
  const path = fc.tuple(name, fc.array(fc.oneof(name, fc.nat(50)), { maxLength: 5 }));
  fc.assert(
    fc.property(path, ([first, rest]) => {
      const keys = [first, ...rest];
      expect(parsePath(formatPath(keys))).toEqual(keys);
    }),
    { numRuns: 300 },
  );
});
