import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseExposition, parseSampleLine, parseSampleValue } from "./prom-text.ts";

describe("parseExposition()", () => {
  test("reads samples, labels with escapes, TYPE lines, timestamps and exemplars", () => {
    const text = [
      "# HELP vllm:prompt_tokens_total Number of prefill tokens processed.",
      "# TYPE vllm:prompt_tokens_total counter",
      'vllm:prompt_tokens_total{model_name="m",engine="0"} 1234',
      'odd{a="x\\"y\\\\z\\nw", b = "c,}d"} +Inf 1700000000000',
      'h_bucket{le="0.5"} 3 # {trace_id="abc"} 0.4 1.7e9',
      "bare 1e-3",
      "# EOF",
    ].join("\n");
    const { samples, types, badLines } = parseExposition(text);
    expect(badLines).toBe(0);
    expect(types.get("vllm:prompt_tokens_total")).toBe("counter");
    expect(samples).toEqual([
      { name: "vllm:prompt_tokens_total", labels: { model_name: "m", engine: "0" }, value: 1234 },
      { name: "odd", labels: { a: 'x"y\\z\nw', b: "c,}d" }, value: Number.POSITIVE_INFINITY },
      { name: "h_bucket", labels: { le: "0.5" }, value: 3 },
      { name: "bare", labels: {}, value: 0.001 },
    ]);
  });

  test.each([
    ["no value", "x"],
    ["a bad value", "x one"],
    ["an unquoted label value", "x{a=b} 1"],
    ["an unterminated label value", 'x{a="b} 1'],
    ["a repeated label", 'x{a="1",a="2"} 1'],
    ["a bad escape", 'x{a="\\t"} 1'],
    ["a bad metric name", "1x 1"],
    ["no space before the value", 'x{a="b"}1'],
    ["three fields", "x 1 2 3"],
  ])("skips and counts a line with %s", (_, line) => {
    expect(parseSampleLine(line)).toBeNull();
    const parsed = parseExposition(`ok 1\n${line}\nok 2\n`);
    expect(parsed.badLines).toBe(1);
    expect(parsed.samples.map((s) => s.value)).toEqual([1, 2]);
  });

  test("keep() passes over other families before their labels are read", () => {
    const parsed = parseExposition('a 1\nb{broken 2\nc{x="y"} 3\n', (name) => name !== "b");
    expect(parsed.samples.map((x) => x.name)).toEqual(["a", "c"]);
    expect(parsed).toMatchObject({ badLines: 0, skipped: 1 });
  });

  test("a label called __proto__ is a label like any other", () => {
    const sample = parseSampleLine('p{__proto__="x",constructor="y"} 1');
    expect(Object.entries(sample?.labels ?? {})).toEqual([
      ["__proto__", "x"],
      ["constructor", "y"],
    ]);
  });

  test("NaN and ±Inf in any case are values", () => {
    expect(parseSampleValue("NaN")).toBeNaN();
    expect(parseSampleValue("-Inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseSampleValue("+inf")).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue("0x10")).toBeNull();
  });

  test("never throws on arbitrary text, and counts every line it cannot read", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        const { samples, badLines } = parseExposition(text);
        const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).length;
        return samples.length + badLines === lines;
      }),
      { numRuns: 2000 },
    );
  });

  test("reads back exactly what a well-formed exposition says (round trip)", () => {
    const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
    const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
    const labels = fc.dictionary(labelName, fc.string({ maxLength: 12 }), { maxKeys: 4 });
    const value = fc.oneof(fc.integer(), fc.double({ noNaN: true }));
    const quoteLabel = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    const render = (v: number) =>
      v === Number.POSITIVE_INFINITY
        ? "+Inf"
        : v === Number.NEGATIVE_INFINITY
          ? "-Inf"
          : Object.is(v, -0)
            ? "-0"
            : String(v);
    fc.assert(
      fc.property(fc.array(fc.record({ name, labels, value }), { maxLength: 20 }), (samples) => {
        const text = samples
          .map((s) => {
            const l = Object.entries(s.labels).map(([k, v]) => `${k}="${quoteLabel(v)}"`);
            return `${s.name}${l.length > 0 ? `{${l.join(",")}}` : ""} ${render(s.value)}`;
          })
          .join("\n");
        const parsed = parseExposition(text);
        expect(parsed.badLines).toBe(0);
        expect(parsed.samples.map((s) => ({ ...s, labels: { ...s.labels } }))).toEqual(
          samples.map((s) => ({ name: s.name, labels: { ...s.labels }, value: s.value })),
        );
      }),
      { numRuns: 500 },
    );
  });
});
