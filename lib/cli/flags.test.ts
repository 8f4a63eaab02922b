import { describe, expect, test } from "bun:test";
import type { ArgsDef } from "citty";
import {
  checkSwitchValues,
  checkUnknownFlags,
  extractRepeated,
  extractSetOverrides,
  flagSpelling,
} from "./flags.ts";

const args = {
  config: { type: "string", alias: "c" },
  outputDir: { type: "string" },
  quiet: { type: "boolean" },
  set: { type: "string", alias: "s" },
  "max-num-seqs": { type: "string" },
  "fail-429": { type: "string" },
  "close-connection": { type: "boolean" },
} satisfies ArgsDef;

test.each([
  ["outputDir", "output-dir"],
  ["maxNumSeqs", "max-num-seqs"],
  ["fail429", "fail-429"],
  ["prefillMsPerToken", "prefill-ms-per-token"],
  ["max-num-seqs", "max-num-seqs"],
  ["seed", "seed"],
])("flagSpelling(%j) is %j", (key, flag) => {
  expect(flagSpelling(key)).toBe(flag);
});

describe("checkUnknownFlags()", () => {
  test.each([
    [["-c", "x.yaml"]],
    [["--config=x.yaml", "--quiet"]],
    [["--output-dir", "out", "--outputDir", "o"]],
    [["--no-quiet", "--", "--whatever"]],
    [["-s", "a=1", "--set", "b=2"]],
    [["--max-num-seqs", "4", "--maxNumSeqs", "4", "--fail-429=0.1", "--fail429", "0.1"]],
    [["--close-connection", "--closeConnection", "--no-close-connection"]],
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

describe("checkSwitchValues()", () => {
  test.each([
    [["--quiet"]],
    [["--quiet=true", "--no-quiet=false"]],
    [["--close-connection"]],
    [["--", "--quiet=x"]],
  ])("accepts %j", (argv) => {
    expect(() => checkSwitchValues(argv, args)).not.toThrow();
  });

  test.each([
    [["--quiet=yes"], '"--quiet": expected no value (or true or false), got "yes"'],
    [["--closeConnection=maybe"], '"--closeConnection": expected no value (or true or false), got "maybe"'],
  ])("rejects %j", (argv, message) => {
    expect(() => checkSwitchValues(argv, args)).toThrow(message);
  });

  test("leaves values of string flags alone", () => {
    expect(() => checkSwitchValues(["--output-dir=yes", "--max-num-seqs=x"], args)).not.toThrow();
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

describe("extractRepeated()", () => {
  test("keeps every value of a repeatable flag, expressions with spaces and operators intact", () => {
    const argv = [
      "--threshold",
      "ttft.p99 < 0.5",
      "-c",
      "x",
      "--threshold=failures.rate<1%",
      "--",
      "--threshold",
      "no",
    ];
    expect(extractRepeated(argv, { name: "threshold", hint: "an expression" })).toEqual([
      "ttft.p99 < 0.5",
      "failures.rate<1%",
    ]);
  });
});
