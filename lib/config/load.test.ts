// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject here
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { fixedFacts } from "./facts.testing.ts";
import { loadConfig } from "./load.ts";

const dir = tempDirForTests("inferload-load-");

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const yaml =
  "server:\n  base_url: ${URL:-http://127.0.0.1:9}\n  api_key: ${KEY}\nload:\n  stages:\n    - rate: 1\n      duration: 5\n";

describe("loadConfig()", () => {
  test("reads, interpolates, applies --set and resolves", async () => {
    const path = file("a.yaml", yaml);
    const loaded = await loadConfig({
      path,
      ...fixedFacts,
      env: { KEY: "k1" },
      overrides: ["load.stages[0].rate=200", "load.num_workers=2"],
    });
    expect(loaded.path).toBe(path);
    expect(loaded.config.server).toMatchObject({ base_url: "http://127.0.0.1:9", api_key: "k1" });
    expect(loaded.config.load.stages).toEqual([{ rate: 200, duration: 5 }]);
    expect(loaded.config.load.num_workers).toBe(2);
  });

  test("the result is frozen all the way down", async () => {
    const { config } = await loadConfig({ path: file("b.yaml", yaml), ...fixedFacts, env: { KEY: "k" } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.load.stages[0])).toBe(true);
    expect(() => {
      (config.load as { interval: number }).interval = 9;
    }).toThrow();
  });

  test("the same file and facts give the same fingerprint", async () => {
    const path = file("c.yaml", yaml);
    const a = await loadConfig({ path, ...fixedFacts, env: { KEY: "k" } });
    const b = await loadConfig({ path, ...fixedFacts, env: { KEY: "k" } });
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  test("a missing variable is a UserError naming it and its path", async () => {
    const path = file("d.yaml", yaml);
    const error = await loadConfig({ path, ...fixedFacts }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`Invalid config "${path}": 1 problem`);
    expect((error as UserError).details).toEqual([
      'server.api_key: expected environment variable "KEY" to be set, got nothing',
    ]);
  });

  test("an override that breaks the config is reported like a file problem", async () => {
    const path = file("e.yaml", yaml);
    const error = await loadConfig({
      path,
      ...fixedFacts,
      env: { KEY: "k" },
      overrides: ["load.stages[0].rate=-5"],
    }).catch((e: unknown) => e);
    expect((error as UserError).details).toEqual(["load.stages[0].rate: expected a number > 0, got -5"]);
    expect((error as UserError).exitCode).toBe(2);
  });

  test("a missing file is a UserError with the file name", async () => {
    const path = join(dir, "nope.yaml");
    await expect(loadConfig({ path, ...fixedFacts })).rejects.toThrow(
      `Cannot read config "${path}": file not found`,
    );
  });
});
