// scripts/github-action.sh as the action runs it, with fake $GITHUB_STEP_SUMMARY / $GITHUB_OUTPUT
// files, the compiled binary, and the binary's own simulator (`inferload sim`, with injected 503s and
// cut streams, so the summary has failures to show). The download path runs against a fake release
// on 127.0.0.1 that serves the same binary.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeExecutable, headBytes, platformMismatch } from "./binary-format.ts";
import { repoRoot } from "./compile.ts";
import { compiledBinary } from "./compiled-binary.testing.ts";
import { run, startReleaseServer } from "./release-server.testing.ts";
import { releaseTargets } from "./release-targets.ts";
import { writeSha256Sums } from "./sha256sums.ts";

const script = join(repoRoot, "scripts", "github-action.sh");
let dir = "";
let binary = "";
let sim: ChildProcess | undefined;
let simUrl = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "inferload-action-"));
  binary = compiledBinary();
  // The simulator prints its URL on stdout; 20% of requests get a 503 and 10% of streams are cut.
  const started = spawn(
    binary,
    ["sim", "--port", "0", "--fail-503", "0.2", "--cut-rate", "0.1", "--seed", "7"],
    {
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  sim = started;
  simUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("inferload sim printed no URL within 30 s")), 30_000);
    started.stdout.once("data", (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk.toString().trim());
    });
    started.once("exit", (code) => reject(new Error(`inferload sim exited ${code}`)));
  });
}, 180_000);
afterAll(() => {
  sim?.kill("SIGTERM");
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

/** A fresh working directory with the config, and the GitHub files the step appends to. */
function workspace(config: string) {
  const work = mkdtempSync(join(dir, "work-"));
  writeFileSync(join(work, "bench.yaml"), config);
  return { work, summary: join(work, "step-summary.md"), output: join(work, "github-output.txt") };
}

async function action(
  mode: "run" | "resolve",
  work: ReturnType<typeof workspace>,
  inputs: Record<string, string>,
) {
  const result = await run("bash", [script, mode], {
    cwd: work.work,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      NO_COLOR: "1",
      GITHUB_STEP_SUMMARY: work.summary,
      GITHUB_OUTPUT: work.output,
      RUNNER_TEMP: work.work,
      ...inputs,
    },
    timeoutMs: 120_000,
  });
  const outputs = existsSync(work.output)
    ? Object.fromEntries(
        readFileSync(work.output, "utf8")
          .trim()
          .split("\n")
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      )
    : {};
  const summary = existsSync(work.summary) ? readFileSync(work.summary, "utf8") : "";
  return { ...result, outputs, summary };
}

const simConfig = () => `
api: { type: completion, streaming: true }
server: { type: vllm, base_url: "${simUrl}" }
data: { type: mock }
load:
  type: constant
  stages: [{ rate: 20, duration: 2 }]
  num_workers: 1
`;

test("the action runs the benchmark, writes a job summary with units and failures by kind, and sets its outputs", async () => {
  const work = workspace(simConfig());
  const result = await action("run", work, {
    INFERLOAD_BIN: binary,
    INPUT_CONFIG: "bench.yaml",
    INPUT_ARGS: "--output-dir 'bench reports' --quiet",
  });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });

  expect(result.outputs.passed).toBe("true");
  expect(result.outputs["report-dir"]).toBe("bench reports");
  const json = JSON.parse(readFileSync(result.outputs["summary-json"]!, "utf8"));
  expect(json.stages).toHaveLength(1);
  expect(existsSync(join(work.work, "bench reports", "summary_lifecycle_metrics.json"))).toBe(true);

  const failed = json.summary.failures.count as number;
  expect(failed).toBeGreaterThan(0);
  expect(result.summary).toContain("### inferload: `bench.yaml` ✅ passed");
  expect(result.summary).toContain(
    "| TTFT p50 / p99 (ms) | ITL p50 / p99 (ms) | TPOT p50 / p99 (ms) | Latency p50 / p99 (s) |",
  );
  expect(result.summary).toMatch(
    new RegExp(`\\n\\| 0 \\| completed \\| 20\\.00 → [\\d.]+ \\| \\d+ \\| ${failed} \\|`),
  );
  expect(result.summary).toContain("#### Failures by kind");
  expect(result.summary).toMatch(/\n\| http_status \| \d+ \| [\d.]+% \|/);
  expect(result.summary).toMatch(/\n\| stream_error \| \d+ \| [\d.]+% \|/);
  expect(result.summary).toContain("| 503 - Service Unavailable |");
}, 150_000);

test("a config error fails the step with inferload's exit code, passed=false and a summary that says so", async () => {
  const work = workspace("load: { stages: [{ rate: -1, duration: 1 }] }\n");
  const result = await action("run", work, { INFERLOAD_BIN: binary, INPUT_CONFIG: "bench.yaml" });
  expect(result.status).toBe(2);
  expect(result.outputs).toEqual({ "report-dir": "", "summary-json": "", passed: "false" });
  expect(result.summary).toContain("❌ config or usage error (exit 2)");
  expect(result.stderr).toContain("::error title=inferload::inferload run exited 2");
});

// Thresholds are evaluated by `inferload run --threshold`; until the binary has that flag there is
// nothing to gate on, and this test is skipped (the rest of the action is tested above).
const hasThresholdFlag = (() => {
  const help = spawnSync(compiledBinary(), ["run", "--help"], { encoding: "utf8", env: { NO_COLOR: "1" } });
  return help.stdout.includes("--threshold");
})();
test.skipIf(!hasThresholdFlag)(
  "a failed threshold exits 3 after every report is written, and the summary marks it failed",
  async () => {
    const work = workspace(simConfig());
    const result = await action("run", work, {
      INFERLOAD_BIN: binary,
      INPUT_CONFIG: "bench.yaml",
      INPUT_ARGS: "--output-dir reports --quiet",
      INPUT_THRESHOLDS: "# 20% of requests get a 503\nfailures.rate < 0.01\n",
    });
    expect(result.status).toBe(3);
    expect(result.outputs.passed).toBe("false");
    expect(existsSync(join(work.work, "reports", "summary_lifecycle_metrics.json"))).toBe(true);
    expect(existsSync(join(work.work, "reports", "stage_0_lifecycle_metrics.json"))).toBe(true);
    expect(result.summary).toContain("❌ thresholds failed (exit 3)");
    expect(result.summary).toContain("#### Thresholds");
    expect(result.summary).toMatch(/`failures\.rate < 0\.01`.*❌ fail/);
  },
  150_000,
);

// The fake release serves the compiled binary as the asset for this machine, if there is one.
const hostAsset = (() => {
  const head = new Uint8Array(headBytes);
  const fd = openSync(compiledBinary(), "r");
  readSync(fd, head, 0, headBytes, 0);
  closeSync(fd);
  return releaseTargets.find((t) => platformMismatch(t, describeExecutable(head)) === null)?.asset;
})();
test.skipIf(hostAsset === undefined)(
  "without INFERLOAD_BIN the action resolves latest, downloads and checks the release once, then uses its cache",
  async () => {
    const release = join(dir, "release");
    mkdirSync(release);
    copyFileSync(binary, join(release, hostAsset!));
    await writeSha256Sums(release, [hostAsset!]);
    const server = await startReleaseServer({ "v1.2.3": release }, "v1.2.3");
    try {
      const cache = join(dir, "cache");
      // No server section: the binary's in-process simulator.
      const quick = "data: { type: mock }\nload: { stages: [{ rate: 2, duration: 1 }], num_workers: 1 }\n";
      const inputs = {
        INPUT_CONFIG: "bench.yaml",
        INPUT_ARGS: "--output-dir reports --quiet",
        INFERLOAD_RELEASES_URL: server.url,
        INFERLOAD_CACHE_DIR: cache,
      };
      const resolved = await action("resolve", workspace(quick), inputs);
      expect(resolved.outputs).toEqual({ version: "v1.2.3", "cache-dir": join(cache, "v1.2.3") });

      const first = await action("run", workspace(quick), { ...inputs, INPUT_VERSION: "v1.2.3" });
      expect(first.status).toBe(0);
      expect(first.summary).toContain("inferload v1.2.3");
      const downloads = server.requests.filter((path) => path.startsWith("/releases/download/"));
      expect(downloads).toEqual([
        "/releases/download/v1.2.3/SHA256SUMS",
        `/releases/download/v1.2.3/${hostAsset}`,
      ]);

      const second = await action("run", workspace(quick), { ...inputs, INPUT_VERSION: "v1.2.3" });
      expect(second.status).toBe(0);
      expect(second.stderr).toContain(`Using cached ${join(cache, "v1.2.3")}`);
      expect(server.requests.filter((path) => path.startsWith("/releases/download/"))).toEqual(downloads);
    } finally {
      await server.close();
    }
  },
  240_000,
);
