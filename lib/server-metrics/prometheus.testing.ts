// Test helper: a real Prometheus server (Debian's package, unpacked by scripts/fetch-prometheus.sh,
// not installed) scraping the given targets every second, on 127.0.0.1 and a port below 32768, with
// its data in a temporary folder. `startPrometheus` returns null, with the reason, when the package
// cannot be had, so a test can skip saying why.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");
const binary = join(root, ".cache/prometheus/usr/bin/prometheus");

/** The binary's path, fetching it once if needed; or why it cannot be had. */
export function prometheusBinary(): { path: string } | { missing: string } {
  if (existsSync(binary)) return { path: binary };
  const fetched = spawnSync("bash", [join(root, "scripts/fetch-prometheus.sh")], { encoding: "utf8" });
  if (fetched.status === 0 && existsSync(binary)) return { path: binary };
  return { missing: (fetched.stderr || fetched.error?.message || "fetch-prometheus.sh failed").trim() };
}

export interface RunningPrometheus {
  readonly url: string;
  /** Resolves once every target has been scraped successfully (up == 1), within `timeoutMs`. */
  targetsUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrometheus(
  targets: readonly string[],
): Promise<RunningPrometheus | { missing: string }> {
  const found = prometheusBinary();
  if ("missing" in found) return found;
  const dir = mkdtempSync(join(tmpdir(), "inferload-prom-"));
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: engine",
      "    static_configs:",
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
      "",
    ].join("\n"),
  );
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const child = spawn(
      found.path,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = `http://127.0.0.1:${port}`;
    if (await ready(url, child, 20_000)) return running(url, child, dir);
    await kill(child);
    if (!/address already in use/.test(stderr)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Prometheus did not start: ${stderr.slice(-500)}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error("Prometheus: no free port after 10 attempts");
}

async function ready(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function running(url: string, child: ChildProcess, dir: string): RunningPrometheus {
  return {
    url,
    async targetsUp(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const body = (await (await fetch(`${url}/api/v1/query?query=min(up)`)).json()) as {
          data?: { result?: { value?: [number, string] }[] };
        };
        if (body.data?.result?.[0]?.value?.[1] === "1") return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`Prometheus at ${url}: targets not up within ${timeoutMs} ms`);
    },
    async stop() {
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
