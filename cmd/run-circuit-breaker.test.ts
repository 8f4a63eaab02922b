// End-to-end: circuit breakers in the real `inferload run` against the simulator's fault injection.
// A breaker trips at the configured point, nothing is sent after it, and the reports say why.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readReport as read, simConfig, withSim, writeConfigFile } from "../lib/run/benchmark.testing.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";

const dir = tempDirForTests("inferload-breaker-");

function writeConfig(url: string, breakers: unknown[], enforced: string[]): string {
  const config = simConfig(url, {
    load: {
      num_workers: 2,
      stages: [
        { rate: 40, duration: 2 },
        { rate: 40, duration: 2 },
      ],
      circuit_breakers: enforced,
    },
    circuit_breakers: breakers,
    report: { request_lifecycle: { per_request: true } },
  });
  return writeConfigFile(dir, config, `config-${enforced.join("-") || "none"}`);
}

const http500 = {
  name: "server_errors",
  metrics: { matches: ["error.error_type == 'HTTP Error 500'"] },
  triggers: [{ type: "consecutive", threshold: 5 }],
};

describe("circuit breakers", () => {
  test("an enforced breaker fails the stage at its threshold, sends nothing after, skips later stages, exit 1", async () => {
    await withSim({ prefillMs: 1, itlMs: 1, faults: { rate500: 1 } }, async (sim) => {
      const out = join(dir, "tripped");
      const code = await runCli([
        "run",
        "-c",
        writeConfig(sim.url, [http500], ["server_errors"]),
        "--quiet",
        "--output-dir",
        out,
      ]);
      expect(code).toBe(1);
      const stage = read(out, "stage_0_lifecycle_metrics.json");
      expect(stage.stage.status).toBe("failed");
      expect(stage.stage.reason).toBe(
        'circuit breaker "server_errors" opened: 5 consecutive matching requests (threshold 5)',
      );
      // 80 requests were planned for the stage; it stopped once the 5th failure reached the main
      // thread (how many were sent by then depends on the machine's load, not on the breaker).
      expect(stage.load_summary.count).toBeGreaterThanOrEqual(5);
      expect(stage.load_summary.count).toBeLessThan(80);
      const summary = read(out, "summary_lifecycle_metrics.json");
      const { opened_at, ...trip } = summary.circuit_breaker;
      expect(trip).toEqual({
        name: "server_errors",
        trigger: "consecutive",
        stage: 0,
        reason: "5 consecutive matching requests (threshold 5)",
      });
      // Nothing was sent after the breaker opened: Workers check a shared stop flag before each send
      // (allowing for a send whose check passed just before the flag was set).
      const sent = (read(out, "per_request_lifecycle_metrics.json") as { start_time: number }[]).map(
        (r) => r.start_time,
      );
      expect(sent).toHaveLength(stage.load_summary.count);
      expect(Math.max(...sent)).toBeLessThan(opened_at + 0.2);
      // Every request the simulator received is in the reports: nothing went out unrecorded.
      expect(sim.stats().requestsByModel["sim-model"]).toBe(stage.load_summary.count);
      expect(existsSync(join(out, "stage_1_lifecycle_metrics.json"))).toBe(false);
    });
  }, 30_000);

  test("a breaker not named in load.circuit_breakers opens without stopping anything", async () => {
    await withSim({ prefillMs: 1, itlMs: 1, faults: { rate500: 1 } }, async (sim) => {
      const out = join(dir, "not-enforced");
      const shortStages = ["--set", 'load.stages=[{"rate":20,"duration":1}]'];
      expect(
        await runCli([
          "run",
          "-c",
          writeConfig(sim.url, [http500], []),
          ...shortStages,
          "--quiet",
          "--output-dir",
          out,
        ]),
      ).toBe(1); // exit 1: no request succeeded, not the breaker
      const summary = read(out, "summary_lifecycle_metrics.json");
      expect(summary.load_summary.count).toBe(20);
      expect(summary.circuit_breaker).toBeUndefined();
    });
  }, 30_000);

  test("a JMESPath syntax error is refused before any load (exit 2)", async () => {
    const broken = { ...http500, metrics: { matches: ["error.==="] } };
    const path = writeConfig("http://127.0.0.1:9", [broken], ["server_errors"]);
    expect(await runCli(["validate", "-c", path])).toBe(2);
    expect(await runCli(["run", "-c", path, "--quiet"])).toBe(2);
  });
});

describe("inference-perf's examples/vllm/config-circuitbreaker.yml", () => {
  const example = join(
    import.meta.dir,
    "../fixtures/inference-perf-examples/examples/vllm/config-circuitbreaker.yml",
  );
  const sample = join(import.meta.dir, "../fixtures/data/sharegpt-sample.json");

  test("validates, and trips on timeouts against a simulator that answers too late", async () => {
    expect(await runCli(["validate", "-c", example, "--set", `data.path="${sample}"`])).toBe(0);
    const model = "HuggingFaceTB/SmolLM2-135M-Instruct";
    await withSim({ model, prefillMs: 1, itlMs: 1, faults: { headersDelayMs: 400 } }, async (sim) => {
      const out = join(dir, "example");
      const code = await runCli([
        "run",
        "-c",
        example,
        "--set",
        `server.base_url="${sim.url}"`,
        "--set",
        `data.path="${sample}"`,
        // Faster than the example's 30 s at 1/s, and a timeout the simulator's delay exceeds.
        "--set",
        'load.stages=[{"rate":10,"duration":3}]',
        "--set",
        "load.request_timeout=0.1",
        "--quiet",
        "--output-dir",
        out,
      ]);
      expect(code).toBe(1);
      const stage = read(out, "stage_0_lifecycle_metrics.json");
      // rate_over_window: >= 80% of at least 2 samples within 2.5 s: the 2nd timeout opens it.
      expect(stage.stage.reason).toStartWith(
        'circuit breaker "request_timeout_breaker" opened: 2 of 2 matching requests',
      );
      // The two timeouts, and requests in flight when it opened, cancelled as inference-perf cancels them.
      expect(stage.failures.by_kind.timeout).toBeGreaterThanOrEqual(2);
      expect(stage.failures.count).toBe(stage.load_summary.count);
      expect(stage.load_summary.count).toBeLessThan(30);
    });
  }, 30_000);
});
