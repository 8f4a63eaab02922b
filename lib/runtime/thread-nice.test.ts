import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";

test.if(process.platform === "linux")(
  "threads named in the list get nice 19; others, the main thread included, keep theirs",
  () => {
    // In a child process, so this runner's own threads keep their priority.
    const script = `
    import { lowerThreadPriority } from ${JSON.stringify(new URL("./thread-nice.ts", import.meta.url).pathname)};
    import { readdirSync, readFileSync } from "node:fs";
    import { getPriority } from "node:os";
    const body = "setInterval(() => {}, 1000)";
    const url = URL.createObjectURL(new Blob([body], { type: "text/javascript" }));
    const workers = ["yield-me", "yield-me", "keep-me"].map((name) => new Worker(url, { name }));
    await new Promise((r) => setTimeout(r, 300));
    const changed = lowerThreadPriority(["yield-me"]);
    const again = lowerThreadPriority(["yield-me"]);
    const nice = {};
    for (const tid of readdirSync("/proc/self/task")) {
      const name = readFileSync("/proc/self/task/" + tid + "/comm", "utf8").trim();
      if (name === "yield-me" || name === "keep-me") (nice[name] ??= []).push(getPriority(Number(tid)));
    }
    console.log(JSON.stringify({ changed, again, nice, main: getPriority(0) }));
    for (const w of workers) w.terminate();
  `;
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 20_000 });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({
      changed: 2,
      again: 0, // already there: nothing done twice
      nice: { "yield-me": [19, 19], "keep-me": [0] },
      main: 0,
    });
  },
);
