// Every bound of config loading, each through the real loader (file → parse → bounds), each failing
// fast with a message that names the file and the limit.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { fixedFacts, problemsOf } from "./facts.testing.ts";
import { capProblems, checkTree, jsonTooDeep, MAX_CONFIG_DEPTH, MAX_PROBLEMS_SHOWN } from "./limits.ts";
import { loadConfig } from "./load.ts";

const dir = tempDirForTests("inferload-limits-");

async function loadError(name: string, text: string): Promise<{ message: string; ms: number }> {
  const path = join(dir, name);
  writeFileSync(path, text);
  const start = performance.now();
  const error = await loadConfig({ path, ...fixedFacts }).catch((e: unknown) => e);
  const ms = performance.now() - start;
  expect(error).toBeInstanceOf(UserError);
  const e = error as UserError;
  return { message: [e.message, ...e.details].join("\n"), ms };
}

// A 9-level alias bomb: 342 bytes that expand to 9^9 (387 million) values.
const levels = "abcdefghi".split("");
const bomb = levels
  .map((name, i) =>
    i === 0
      ? `${name}: &${name} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`
      : `${name}: &${name} [${new Array(9).fill(`*${levels[i - 1]}`).join(",")}]`,
  )
  .join("\n");

// The same bomb within the alias count: 4 levels of 20 aliases each is 80 aliases, 20^4 values.
const wideBomb = ["a: &a [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]"]
  .concat(
    ["b", "c", "d", "e"].map(
      (name, i) => `${name}: &${name} [${new Array(20).fill(`*${"abcd"[i]}`).join(",")}]`,
    ),
  )
  .join("\n");

describe("config loading bounds", () => {
  test.each([
    ["a 342-byte alias bomb", "bomb.yaml", bomb, "more than 20000 values (YAML aliases can multiply"],
    [
      "aliases past the count",
      "many.yaml",
      `a: &a 1\nb: [${new Array(101).fill("*a").join(",")}]`,
      "more than 100 YAML aliases",
    ],
    [
      "aliases under the count that expand past the value limit",
      "wide.yaml",
      wideBomb,
      "more than 20000 values",
    ],
    [
      "deeply nested JSON",
      "deep.json",
      `${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`,
      "nested more than 64 levels deep at line 1, column 65",
    ],
    [
      "deeply nested YAML",
      "deep.yaml",
      `a: ${"[".repeat(5000)}${"]".repeat(5000)}`,
      "nested more than 64 levels deep",
    ],
    [
      "deeply nested TOML",
      "deep.toml",
      `a = ${"[".repeat(200)}${"]".repeat(200)}`,
      "nested more than 64 levels deep",
    ],
  ])("%s fails fast with a clear message", async (_, name, text, expected) => {
    const { message, ms } = await loadError(name, text);
    expect(message).toContain(expected);
    expect(message).toContain(name);
    expect(ms).toBeLessThan(3000);
  });

  test("a file over 16 MB is refused before it is read", async () => {
    const { message } = await loadError("big.yaml", `# ${"x".repeat(16 * 1024 * 1024)}\n`);
    expect(message).toContain("the file is 16.0 MB, more than the 16.0 MB a config may be");
  });

  test("a file of unknown keys gives a capped list of problems, fast", async () => {
    const keys = Array.from({ length: 19_000 }, (_, i) => `"k${i}": 1`).join(",");
    const { message, ms } = await loadError("keys.json", `{${keys}}`);
    const lines = message.split("\n");
    // Every key, and the missing stage.
    expect(lines[0]).toEndWith(": 19001 problems");
    expect(lines).toContain("k0: unknown key");
    expect(lines).toHaveLength(1 + MAX_PROBLEMS_SHOWN + 1);
    expect(lines.at(-1)).toBe(`… and ${19_001 - MAX_PROBLEMS_SHOWN} more problems`);
    expect(ms).toBeLessThan(5000);
  });

  test("400,000 unknown keys stop at the value limit", async () => {
    const keys = Array.from({ length: 400_000 }, (_, i) => `k${i}: 1`).join("\n");
    const { message, ms } = await loadError("many-keys.yaml", keys);
    expect(message).toContain("more than 40000 lines and commas");
    expect(ms).toBeLessThan(1000);
  });
});

describe("keys that reach object internals", () => {
  test.each([
    ["a YAML __proto__ key", { api: JSON.parse('{"__proto__": {"x": 1}}') }, "api.__proto__: unknown key"],
    ["a top-level constructor key", { constructor: 1 }, "constructor: unknown key"],
    ["a nested prototype key", { load: { prototype: { a: 1 } } }, "load.prototype: unknown key"],
  ])("%s is an unknown key", (_, raw, expected) => {
    expect(problemsOf(raw)).toEqual([expected]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  test("a YAML file with a __proto__ key is refused and pollutes nothing", async () => {
    const { message } = await loadError(
      "proto.yaml",
      "__proto__:\n  polluted: 1\nload:\n  stages: [{rate: 1, duration: 1}]\n",
    );
    expect(message).toContain("__proto__: unknown key");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each([["__proto__.x=1"], ["load.constructor.x=1"], ["api.prototype=1"]])(
    "--set %s is refused without touching Object.prototype",
    (override) => {
      const [problem] = problemsOf(
        { load: { stages: [{ rate: 1, duration: 1 }] } },
        { overrides: [override] },
      );
      expect(problem ?? "").toBe("");
      expect(() =>
        problemsOf({ load: { stages: [{ rate: 1, duration: 1 }] } }, { overrides: [override] }),
      ).not.toThrow();
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    },
  );

  test("a --set JSON value holding __proto__ is an unknown key", () => {
    expect(
      problemsOf(
        { load: { stages: [{ rate: 1, duration: 1 }] } },
        { overrides: ['api.headers={"__proto__": {"x": "1"}}'] },
      ),
    ).toEqual(["api.headers.__proto__: unknown key"]);
  });
});

describe("checkTree()", () => {
  test("counts a shared subtree once per reference, as aliases expand", () => {
    const leaf = Array.from({ length: 200 }, (_, i) => i);
    const tree = { a: Array.from({ length: 200 }, () => leaf) };
    expect(() => checkTree(tree, "t.yaml")).toThrow("more than 20000 values");
  });

  test("accepts a config-sized tree", () => {
    expect(checkTree({ load: { stages: [{ rate: 1 }] } }, "t.yaml")).toEqual([]);
  });
});

describe("jsonTooDeep()", () => {
  test.each([
    ['{"a": [1, {"b": 2}]}', 3, undefined],
    ['{"a": [[["x"]]]}', 3, { line: 1, column: 9 }],
    ['{"a": "[[[[[["}', 2, undefined],
    ['{"a": "\\"[[[["}', 2, undefined],
    ['{\n "a": [[1]]}', 2, { line: 2, column: 8 }],
  ])("%j with at most %d levels → %j", (text, max, expected) => {
    expect(jsonTooDeep(text, max)).toEqual(expected);
  });

  test("the default is the config depth limit", () => {
    expect(jsonTooDeep("[".repeat(MAX_CONFIG_DEPTH))).toBeUndefined();
    expect(jsonTooDeep("[".repeat(MAX_CONFIG_DEPTH + 1))).toEqual({ line: 1, column: MAX_CONFIG_DEPTH + 1 });
  });
});

describe("capProblems()", () => {
  test.each([
    [3, 5, 3],
    [5, 5, 5],
    [6, 5, 6],
  ])("%d lines with at most %d shown give %d lines", (count, max, length) => {
    expect(
      capProblems(
        Array.from({ length: count }, (_, i) => `p${i}`),
        max,
      ),
    ).toHaveLength(length);
  });

  test("says how many more there are", () => {
    expect(capProblems(["a", "b", "c"], 2)).toEqual(["a", "b", "… and 1 more problem"]);
  });
});
