// On one core at a rate that leaves it mostly idle, a run lowers the engine's compiler threads to
// nice 19 from its first stage (lib/worker/send-clock.ts `engineYieldWanted`), and nothing else: the
// real CLI, pinned with `taskset`, its threads' nice values read from /proc while the stage runs.
import { describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { randomData, simConfig, simForTests, writeConfigFile } from "../lib/run/benchmark.testing.ts";
import { ENGINE_NICE, ENGINE_THREADS } from "../lib/runtime/thread-nice.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";

const main = join(import.meta.dirname, "main.ts");
const dir = tempDirForTests("inferload-engine-yield-test-");
const sim = simForTests({ prefillMs: 1, itlMs: 2 });
const hasTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
if (process.platform === "linux" && !hasTaskset)
  console.warn("!!! taskset is missing or refused: the engine-yield end-to-end tests are SKIPPED");

/** Each thread's name and nice value, from /proc (the name may hold spaces: the stat line is split after it). */
function threadNice(pid: number): { name: string; nice: number }[] {
  const threads: { name: string; nice: number }[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name =
        tid === String(pid) ? "main" : readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      threads.push({ name, nice: Number(fields[16]) }); // field 19 of stat, the 17th after the name
    } catch {
      // The thread ended meanwhile.
    }
  }
  return threads;
}

let n = 0;
/** The run's threads 1.2 s into its stage (the lowering repeats every 0.5 s), then it is interrupted. */
function threadsOfRun(cpus: string): Promise<{ name: string; nice: number }[]> {
  const config = writeConfigFile(
    dir,
    simConfig(sim().url, {
      data: randomData(10, 4),
      load: { type: "constant", stages: [{ rate: 200, duration: 20 }] },
    }),
  );
  const child = spawn(
    "taskset",
    ["-c", cpus, process.execPath, main, "run", "-c", config, "--output-dir", join(dir, `run-${++n}`)],
    {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  let seen: { name: string; nice: number }[] = [];
  const guard = setTimeout(() => child.kill("SIGKILL"), 40_000);
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    const started = !stderr.includes("Stage 0:") && (stderr + text).includes("Stage 0:");
    stderr += text;
    if (started)
      setTimeout(() => {
        seen = threadNice(child.pid!);
        child.kill("SIGINT");
      }, 1200);
  });
  return new Promise((resolve) =>
    child.on("exit", () => {
      clearTimeout(guard);
      resolve(seen);
    }),
  );
}

describe.if(process.platform === "linux" && hasTaskset)("the engine's compiler threads on one core", () => {
  test("pinned to one CPU: every compiler thread at nice 19, the client's own threads as they were", async () => {
    const threads = await threadsOfRun("0");
    const engine = threads.filter((t) => (ENGINE_THREADS as readonly string[]).includes(t.name));
    expect(engine.length).toBeGreaterThan(0);
    for (const t of engine) expect(t).toEqual({ name: t.name, nice: ENGINE_NICE });
    // The client's own threads keep the nice value the run was started with.
    const base = threads.find((t) => t.name === "main")!.nice;
    for (const name of ["load", "wake", "build"])
      for (const t of threads.filter((x) => x.name === name)) expect(t).toEqual({ name, nice: base });
  }, 45_000);

  test.if(availableParallelism() >= 2)(
    "allowed two CPUs: nothing lowered",
    async () => {
      const threads = await threadsOfRun("0,1");
      const base = threads.find((t) => t.name === "main")!.nice;
      for (const t of threads) expect(t).toEqual({ name: t.name, nice: base });
    },
    45_000,
  );
});
