import { describe, expect, test } from "bun:test";
import type { ArgsDef } from "citty";
import { checkUnknownFlags, extractSetOverrides } from "./flags.ts";

const args = {
  config: { type: "string", alias: "c" },
  outputDir: { type: "string" },
  quiet: { type: "boolean" },
  set: { type: "string", alias: "s" },
} satisfies ArgsDef;

describe("checkUnknownFlags()", () => {
  test.each([
    [["-c", "x.yaml"]],
    [["--config=x.yaml", "--quiet"]],
    [["--output-dir", "out", "--outputDir", "o"]],
    [["--no-quiet", "--", "--whatever"]],
    [["-s", "a=1", "--set", "b=2"]],
  ])("accepts %j", (argv) => {
    expect(() => checkUnknownFlags(argv, args)).not.toThrow();
  });

  test("rejects a misspelt flag and suggests the closest one", () => {
    expect(() => checkUnknownFlags(["--ouput-dir", "x"], args)).toThrow(
      'Unknown option "--ouput-dir": did you mean "--output-dir"?',
    );
  });

  test("rejects an unrelated flag without a suggestion", () => {
    expect(() => checkUnknownFlags(["--zzzzzzzzzz"], args)).toThrow('Unknown option "--zzzzzzzzzz"');
  });
});

describe("extractSetOverrides()", () => {
  test("keeps every --set in order, in all spellings", () => {
    expect(extractSetOverrides(["--set", "a=1", "-c", "f", "--set=b=2", "-s", "c=3"])).toEqual([
      "a=1",
      "b=2",
      "c=3",
    ]);
  });

  test("throws when --set has no value", () => {
    expect(() => extractSetOverrides(["--set"])).toThrow("Missing value");
  });
});
