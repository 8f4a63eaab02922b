import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { parseWithLiterals } from "./json-literals.testing.ts";
import { pyFloat, pyFloatRepr, pythonJson } from "./py-json.ts";

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), "utf8");

describe("pythonJson()", () => {
  // fixtures/python-json/ was written by Python's own json.dumps (generate.py): about 2,000 floats
  // (random bit patterns, every decade from 1e-12 to 1e20, exponent thresholds, subnormals, -0.0),
  // ints, escapes and empty containers.
  test("writes Python's sample byte for byte, on one line and with indent=2", () => {
    const compact = fixture("python-json/sample.json");
    const value = parseWithLiterals(compact);
    expect(pythonJson(value)).toBe(compact);
    expect(pythonJson(value, { indent: 2 })).toBe(fixture("python-json/sample.indent2.json"));
  });

  test.each(["summary_lifecycle_metrics.json", "stage_0_lifecycle_metrics.json"])(
    "reproduces inference-perf's real %s byte for byte",
    (name) => {
      const text = fixture(`inference-perf-reports/${name}`);
      expect(pythonJson(parseWithLiterals(text))).toBe(text);
    },
  );

  test("writes a marked whole number as a float and an unmarked one as an int", () => {
    expect(pythonJson({ requested_rate: pyFloat(5), count: 5, half: 0.5 })).toBe(
      '{"requested_rate": 5.0, "count": 5, "half": 0.5}',
    );
  });

  test("skips undefined keys as JSON.stringify does and writes empty containers compactly", () => {
    expect(pythonJson({ a: undefined, b: {}, c: [] }, { indent: 2 })).toBe('{\n  "b": {},\n  "c": []\n}');
  });
});

describe("pyFloatRepr()", () => {
  test.each([
    [0, "0.0"],
    [-0, "-0.0"],
    [195, "195.0"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.7700949683785439e-6, "1.7700949683785439e-06"],
    [1e15, "1000000000000000.0"],
    [1e16, "1e+16"],
    [1.5e300, "1.5e+300"],
    [-25.919734216993675, "-25.919734216993675"],
    [Number.NaN, "NaN"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
  ])("pyFloatRepr(%p) is %p", (value, repr) => {
    expect(pyFloatRepr(value)).toBe(repr);
  });
});
