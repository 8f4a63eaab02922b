// Every config in fixtures/configs/valid validates; every one in fixtures/configs/invalid fails
// with exactly the text in its `.expected.txt`.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeFailure } from "../cli/errors.ts";
import { loadConfig } from "./load.ts";

const root = join(import.meta.dir, "../../fixtures/configs");
const facts = { env: {}, cpuCount: 4, now: new Date(2026, 0, 2, 3, 4, 5) };

const valid = readdirSync(join(root, "valid")).sort();
// Configs other engineers keep beside ours (examples, quick start) must stay valid too.
const others = readdirSync(root, { recursive: true, encoding: "utf8" })
  .filter((path) => /\.(ya?ml|json|toml)$/.test(path) && !/^(valid|invalid)\//.test(path))
  .sort();
const invalid = readdirSync(join(root, "invalid"))
  .filter((name) => !name.endsWith(".expected.txt"))
  .sort();

describe("valid fixtures", () => {
  test("cover every example of the load-generation guide, JSON and TOML", () => {
    for (const name of [
      "constant.yaml",
      "poisson.yaml",
      "concurrent.yaml",
      "sweep-linear.yaml",
      "sweep-geometric.yaml",
      "multi-lora.yaml",
      "trace-replay.yaml",
      "base-seed.yaml",
      "inference-perf-default.yaml",
      "constant.json",
      "concurrent.toml",
    ]) {
      expect(valid).toContain(name);
    }
  });

  test.each(valid)("%s validates", async (name) => {
    const { config, fingerprint } = await loadConfig({ path: join(root, "valid", name), ...facts });
    expect(config.load.num_workers).toBeGreaterThan(0);
    expect(fingerprint).toMatch(/^[\w-]+$/);
  });
});

test.each(others)("fixtures/configs/%s validates", async (path) => {
  await loadConfig({ path: join(root, path), ...facts });
});

describe("invalid fixtures", () => {
  test("there is at least one of each kind of problem", () => {
    expect(invalid.length).toBeGreaterThanOrEqual(15);
  });

  test.each(invalid)("%s fails with exactly its expected text", async (name) => {
    const expected = readFileSync(join(root, "invalid", name.replace(/\.[^.]+$/, ".expected.txt")), "utf8");
    const dir = `${join(root, "invalid")}/`;
    let failure: ReturnType<typeof describeFailure> | undefined;
    try {
      await loadConfig({ path: join(root, "invalid", name), ...facts });
    } catch (error) {
      failure = describeFailure(error);
    }
    expect(failure).toBeDefined();
    expect(failure?.isBug).toBe(false);
    expect(failure?.exitCode).toBe(2);
    expect(`${failure?.text.replaceAll(dir, "")}\n`).toBe(expected);
  });
});
