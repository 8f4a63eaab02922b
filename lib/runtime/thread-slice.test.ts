import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { kernelHonoursSlices } from "./thread-slice.testing.ts";
import { SHORT_SLICE_NS, schedAttr } from "./thread-slice.ts";

test("the sched_attr asks for SCHED_OTHER with the given nice and the slice as sched_runtime", () => {
  const attr = schedAttr(100_000, 5);
  expect(attr.byteLength).toBe(48);
  expect(attr.getUint32(0, true)).toBe(48); // size: SCHED_ATTR_SIZE_VER0
  expect(attr.getUint32(4, true)).toBe(0); // SCHED_OTHER
  expect(attr.getBigUint64(8, true)).toBe(0n); // no flags
  expect(attr.getInt32(16, true)).toBe(5);
  expect(attr.getBigUint64(24, true)).toBe(100_000n);
  expect(attr.getBigUint64(32, true)).toBe(0n); // deadline and period unused
});

test("a thread that asks for a short slice gets it where the kernel honours slices, and keeps its nice value", () => {
  // In a child process under `nice`, so neither this runner's threads nor its priority change.
  const script = `
    import { requestShortSlice } from ${JSON.stringify(new URL("./thread-slice.ts", import.meta.url).pathname)};
    import { sliceNsOf } from ${JSON.stringify(new URL("./thread-slice.testing.ts", import.meta.url).pathname)};
    import { getPriority } from "node:os";
    const before = sliceNsOf("thread-self");
    const accepted = await requestShortSlice();
    console.log(JSON.stringify({ accepted, before, after: sliceNsOf("thread-self"), nice: getPriority(0) }));
  `;
  const child = spawnSync("nice", ["-n", "3", process.execPath, "-e", script], {
    encoding: "utf8",
    timeout: 20_000,
  });
  expect(child.stderr).toBe("");
  const seen = JSON.parse(child.stdout) as { accepted: boolean; before: number; after: number; nice: number };
  expect(seen.nice).toBe(3);
  if (!kernelHonoursSlices()) {
    console.warn(
      `this kernel does not honour requested slices: only checked that asking is harmless (${JSON.stringify(seen)})`,
    );
    return;
  }
  expect(seen.accepted).toBe(true);
  expect(seen.before).toBeGreaterThan(SHORT_SLICE_NS);
  expect(seen.after).toBe(SHORT_SLICE_NS);
});
