import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { build, fixedFacts, oneStage } from "./facts.testing.ts";
import { loadConfig } from "./load.ts";
import { assertSupported, findUnsupported, unsupportedOptions } from "./unsupported.ts";

describe("assertSupported()", () => {
  test("a plain config passes", () => {
    expect(() =>
      assertSupported(build({ load: oneStage, data: { type: "synthetic" } }).config),
    ).not.toThrow();
  });

  test("lists every unsupported option at once, by path", () => {
    const { config } = build({
      load: { ...oneStage, request_retries: 2 },
      storage: { google_cloud_storage: { bucket_name: "b" } },
    });
    let error: unknown;
    try {
      assertSupported(config);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe(
      "Cannot run this config: it uses 2 options that are not supported yet",
    );
    expect((error as { details: string[] }).details).toEqual([
      "load.request_retries: not supported yet",
      "storage.google_cloud_storage: not supported yet",
    ]);
  });

  test.each([
    ["load.request_retries", { load: { ...oneStage, request_retries: 2 } }],
    ["storage.google_cloud_storage", { storage: { google_cloud_storage: { bucket_name: "b" } } }],
  ])("%s is named when used", (path, raw) => {
    const lines = findUnsupported(build({ load: oneStage, ...raw }).config);
    expect(lines.some((line) => line.startsWith(`${path}:`))).toBe(true);
  });

  test("deleting a row lets the option through (how features get switched on)", () => {
    const { config } = build({ load: { ...oneStage, request_retries: 1 } });
    const table = unsupportedOptions.filter((row) => row.path !== "load.request_retries");
    expect(() => assertSupported(config, table)).not.toThrow();
  });

  test("server-side metrics run: inference-perf's vLLM example (Prometheus) and the scrape source", async () => {
    for (const name of ["vllm-config-random.yaml", "metrics-scrape.yaml"]) {
      const { config } = await loadConfig({
        path: join(import.meta.dirname, "../../fixtures/configs/valid", name),
        ...fixedFacts,
      });
      expect(findUnsupported(config)).toEqual([]);
    }
  });

  test("every row is off for the default config", () => {
    expect(findUnsupported(build({ load: oneStage }).config)).toEqual([]);
  });
});
