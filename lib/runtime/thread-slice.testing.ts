// What the tests of the short-slice request need: whether this kernel honours a requested slice,
// and the slice a thread has now.
import { readFileSync } from "node:fs";
import { release } from "node:os";

/** Linux 6.12 and later honour sched_setattr's sched_runtime for ordinary threads (EEVDF's custom slice). */
export function kernelHonoursSlices(): boolean {
  if (process.platform !== "linux" || !["x64", "arm64"].includes(process.arch)) return false;
  const [major = 0, minor = 0] = release()
    .split(".")
    .map((part) => Number.parseInt(part, 10));
  return major > 6 || (major === 6 && minor >= 12);
}

/** A thread's scheduler slice in ns, from /proc (`task` is e.g. "thread-self" or "<pid>/task/<tid>"). */
export function sliceNsOf(task: string): number {
  const line = readFileSync(`/proc/${task}/sched`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("se.slice"));
  return Number(line?.split(":")[1]?.trim() ?? Number.NaN);
}
