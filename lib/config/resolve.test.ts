import { describe, expect, test } from "bun:test";
import { build, oneStage } from "./facts.testing.ts";
import { printConfig } from "./print.ts";
import { formatTimestamp } from "./resolve.ts";

describe("resolveConfig()", () => {
  test("num_workers comes from the CPU count, base_seed from the clock in ms", () => {
    const now = new Date(2026, 0, 2, 3, 4, 5);
    const { config } = build({ load: oneStage }, { cpuCount: 6, now });
    expect(config.load.num_workers).toBe(6);
    expect(config.load.base_seed).toBe(now.getTime());
  });

  test("given values win over derived ones", () => {
    const { config } = build({ load: { ...oneStage, num_workers: 3, base_seed: 12345 } }, { cpuCount: 6 });
    expect(config.load.num_workers).toBe(3);
    expect(config.load.base_seed).toBe(12345);
  });

  test("num_workers 0 (inference-perf's single-process mode) runs one worker", () => {
    expect(build({ load: { ...oneStage, num_workers: 0 } }).config.load.num_workers).toBe(1);
  });

  test("a CPU count of 0 still gives one worker", () => {
    expect(build({ load: oneStage }, { cpuCount: 0 }).config.load.num_workers).toBe(1);
  });

  test("the report path defaults to reports-YYYYMMDD-HHMMSS and {timestamp} is substituted", () => {
    expect(build({ load: oneStage }).config.storage.local_storage.path).toBe("reports-20260102-030405");
    const storage = {
      local_storage: { path: "out/{timestamp}/x" },
      google_cloud_storage: { bucket_name: "b", path: "runs/{timestamp}" },
    };
    const { config } = build({ load: oneStage, storage });
    expect(config.storage.local_storage.path).toBe("out/20260102-030405/x");
    expect(config.storage.google_cloud_storage?.path).toBe("runs/20260102-030405");
  });

  test("server.api_key falls back to INFERLOAD_API_KEY, and is redacted in the printed config", () => {
    const server = { base_url: "http://127.0.0.1:9" };
    const { config } = build({ load: oneStage, server }, { env: { INFERLOAD_API_KEY: "sk-from-env" } });
    expect(config.server?.api_key).toBe("sk-from-env");
    expect(printConfig(config)).not.toContain("sk-from-env");
  });

  test("a key in the config wins over INFERLOAD_API_KEY, and other variables are never read", () => {
    const server = { base_url: "http://127.0.0.1:9", api_key: "sk-config" };
    const env = { INFERLOAD_API_KEY: "sk-from-env" };
    expect(build({ load: oneStage, server }, { env }).config.server?.api_key).toBe("sk-config");
    const plain = { base_url: "http://127.0.0.1:9" };
    expect(
      build({ load: oneStage, server: plain }, { env: { OPENAI_API_KEY: "sk-x" } }).config.server?.api_key,
    ).toBeNull();
  });

  test("formatTimestamp() pads every field", () => {
    expect(formatTimestamp(new Date(999, 8, 7, 6, 5, 4))).toBe("09990907-060504");
  });

  test("where local time is UTC, formatTimestamp() reads the UTC fields (same format)", () => {
    expect(formatTimestamp(new Date(Date.UTC(999, 8, 7, 6, 5, 4)), true)).toBe("09990907-060504");
    expect(formatTimestamp(new Date(Date.UTC(2026, 11, 31, 23, 59, 58)), true)).toBe("20261231-235958");
  });

  test("the loader's localIsUtc fact names the default report folder from the UTC fields", () => {
    const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const { config } = build({ load: oneStage }, { now, localIsUtc: true });
    expect(config.storage.local_storage.path).toBe("reports-20260102-030405");
  });
});
