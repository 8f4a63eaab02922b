import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import {
  configTextFromStdin,
  formatOf,
  formatOfText,
  parseConfigText,
  readConfigText,
  removeHandoff,
  STDIN,
  STDIN_HANDOFF_ENV,
  STDIN_HANDOFF_PREFIX,
} from "./read.ts";

const dir = tempDirForTests("inferload-read-");

async function messageOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    return (error as Error).message;
  }
  return "(no error)";
}

describe("parseConfigText()", () => {
  test.each([
    ["a.yaml", "load:\n  type: constant\n", { load: { type: "constant" } }],
    ["a.yml", "a: [1, 2]", { a: [1, 2] }],
    ["a.json", '{"a": {"b": null}}', { a: { b: null } }],
    ["a.toml", '[load]\ntype = "poisson"\n', { load: { type: "poisson" } }],
  ])("parses %s by its extension", async (name, text, expected) => {
    expect(await parseConfigText(text, name)).toEqual(expected);
  });

  test("a JSON file may start with a byte-order mark", async () => {
    expect(await parseConfigText('\ufeff{"a": 1}', "a.json")).toEqual({ a: 1 });
  });

  test("a YAML syntax error names the line and column", async () => {
    expect(await messageOf(() => parseConfigText("a: 1\n  b: 2\n", "bench.yaml"))).toBe(
      'Cannot parse config "bench.yaml": bad indentation of a mapping entry at line 2, column 4',
    );
  });

  test("a JSON syntax error names the line and column of the first bad character", async () => {
    expect(await messageOf(() => parseConfigText('{\n  "a": 1,\n  "b": }', "bench.json"))).toMatch(
      /^Cannot parse config "bench\.json": .* at line 3, column 8$/,
    );
  });

  test("a TOML syntax error names the line and column", async () => {
    expect(await messageOf(() => parseConfigText("a = 1\nb = = 2\n", "bench.toml"))).toMatch(
      /^Cannot parse config "bench\.toml": .* at line 2, column \d+$/,
    );
  });

  test.each([
    ["bench.yaml", ""],
    ["bench.yaml", "# nothing here\n---\n"],
    ["bench.toml", "  \n# comment\n"],
    ["bench.json", "\n \n"],
  ])("%s with only %j is an empty file", async (name, text) => {
    expect(await messageOf(() => parseConfigText(text, name))).toBe(
      `Cannot read config "${name}": the file is empty`,
    );
  });

  test("an unknown extension is refused with the ones we read", async () => {
    expect(await messageOf(() => formatOf("bench.ini"))).toBe(
      'Cannot read config "bench.ini": unknown file extension ".ini" (expected .yaml, .yml, .json or .toml)',
    );
  });
});

describe("readConfigText()", () => {
  test("a missing file says file not found", async () => {
    const path = join(dir, "missing.yaml");
    await expect(readConfigText(path)).rejects.toThrow(`Cannot read config "${path}": file not found`);
  });

  test("a directory says so", async () => {
    await expect(readConfigText(dir)).rejects.toThrow(`Cannot read config "${dir}": it is a directory`);
  });

  test("an unreadable file says permission denied", async () => {
    const path = join(dir, "locked.yaml");
    writeFileSync(path, "a: 1\n");
    chmodSync(path, 0o000);
    // root reads anything, so only assert the message when the read fails at all.
    const result = await readConfigText(path).then(
      () => "read",
      (error: Error) => error.message,
    );
    expect(["read", `Cannot read config "${path}": permission denied`]).toContain(result);
  });
});

describe("formatOfText()", () => {
  test.each([
    ['{"load": {"type": "constant"}}', "json"],
    ['\n  # a comment\n{"a": 1}', "json"],
    ["load:\n  type: constant\n", "yaml"],
    ["---\napi:\n  streaming: true\n", "yaml"],
    ['[load]\ntype = "constant"\n', "toml"],
    ["[[load.stages]]\nrate = 1\n", "toml"],
    ["# bench\nbase_seed = 1\n[load]\n", "toml"],
    ["- a\n- b\n", "yaml"],
  ] as const)("reads %j as %s", (text, format) => {
    expect(formatOfText(text)).toBe(format);
  });

  test("parses standard input by its content and names it in errors", async () => {
    expect(await parseConfigText('[load]\ntype = "poisson"\n', STDIN)).toEqual({ load: { type: "poisson" } });
    expect(await messageOf(() => parseConfigText("a: 1\n  b: 2\n", STDIN))).toBe(
      'Cannot parse config "-" (standard input): bad indentation of a mapping entry at line 2, column 4',
    );
  });
});

describe("a config from standard input handed over by a relaunch", () => {
  const dir = tempDirForTests("inferload-handoff-test-");

  test("is read from the named file, which is removed with its folder, and the variable is dropped", async () => {
    const folder = mkdtempSync(join(dir, STDIN_HANDOFF_PREFIX));
    const file = join(folder, "config");
    writeFileSync(file, "load: {type: constant}\n", { mode: 0o600 });
    process.env[STDIN_HANDOFF_ENV] = file;
    try {
      expect(await readConfigText(STDIN)).toBe("load: {type: constant}\n");
      expect(configTextFromStdin()).toBe("load: {type: constant}\n");
      expect(existsSync(folder)).toBe(false);
      expect(process.env[STDIN_HANDOFF_ENV]).toBeUndefined();
    } finally {
      delete process.env[STDIN_HANDOFF_ENV];
    }
  });

  test("a file outside a handover folder is never removed", () => {
    const file = join(dir, "mine.yaml");
    writeFileSync(file, "x: 1\n");
    removeHandoff(file);
    expect(existsSync(file)).toBe(true);
  });
});
