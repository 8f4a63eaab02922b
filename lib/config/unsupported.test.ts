import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build, fixedFacts, oneStage } from "./facts.testing.ts";
import { loadConfig } from "./load.ts";
import {
  assertSupported,
  findUnsupported,
  type UnsupportedOption,
  unsupportedOptions,
} from "./unsupported.ts";

/** Two rows as a future option would have them, for the mechanism's tests. */
const table: UnsupportedOption[] = [
  { path: "load.request_retries", isUsed: (c) => c.load.request_retries > 2 },
  {
    path: "data.use_chat_template",
    isUsed: (c) => c.data.use_chat_template,
    detail: () => "not with this data",
  },
];

describe("assertSupported()", () => {
  test("the table is empty: every inference-perf option is implemented", () => {
    expect(unsupportedOptions).toEqual([]);
  });

  test("a plain config passes", () => {
    expect(() =>
      assertSupported(build({ load: oneStage, data: { type: "synthetic" } }).config, table),
    ).not.toThrow();
  });

  test("lists every unsupported option at once, by path", () => {
    const { config } = build({
      data: { type: "random", use_chat_template: true },
      load: { ...oneStage, request_retries: 3 },
    });
    let error: unknown;
    try {
      assertSupported(config, table);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe(
      "Cannot run this config: it uses 2 options that are not supported yet",
    );
    expect((error as { details: string[] }).details).toEqual([
      "load.request_retries: not supported yet",
      "data.use_chat_template: not with this data",
    ]);
  });

  test("deleting a row lets the option through (how features get switched on)", () => {
    const { config } = build({ load: { ...oneStage, request_retries: 3 } });
    expect(findUnsupported(config, table)).toEqual(["load.request_retries: not supported yet"]);
    const rest = table.filter((row) => row.path !== "load.request_retries");
    expect(() => assertSupported(config, rest)).not.toThrow();
  });

  test("every valid fixture config uses no unsupported option", async () => {
    const folder = join(import.meta.dirname, "../../fixtures/configs/valid");
    for (const name of readdirSync(folder).filter((n) => /\.(ya?ml|json)$/.test(n))) {
      const { config } = await loadConfig({ path: join(folder, name), ...fixedFacts });
      expect({ name, lines: findUnsupported(config) }).toEqual({ name, lines: [] });
    }
  });
});
