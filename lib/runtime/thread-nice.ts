// Lowers the priority (raises the nice value) of this process's threads by name. For the engine's own
// threads, which no code of ours runs on: JavaScriptCore's JIT compilers and its block warm-up. When
// every client thread shares one core, a compilation of 10-40 ms that holds the core when the load
// Worker wakes for a send time makes that send late; at nice 19 the woken load Worker takes the core
// at once (docs/PERFORMANCE.md "Pacing cost"). Linux only (a thread id is a pid to setpriority); a
// user without privilege cannot lower a nice value again, so the caller decides once per run.
import { readdirSync, readFileSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/** The engine's threads that compile or warm up while a stage sends. */
export const ENGINE_THREADS = ["JITWorker", "JSCWarmUp"] as const;

/** The lowest priority: a thread at nice 19 weighs ~1.5% of one at nice 0 when both want the core. */
export const ENGINE_NICE = 19;

/**
 * Sets every thread of this process named one of `names` to nice `nice`, where it is not already.
 * Returns how many changed; 0 where threads cannot be listed (not Linux). Never an error: a thread
 * may end between its listing and the change.
 */
export function lowerThreadPriority(names: readonly string[], nice = ENGINE_NICE): number {
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return 0;
  }
  let changed = 0;
  for (const tid of tids) {
    try {
      if (!names.includes(readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim())) continue;
      if (getPriority(Number(tid)) >= nice) continue;
      setPriority(Number(tid), nice);
      changed++;
    } catch {
      // The thread ended, or the system refused: nothing to change.
    }
  }
  return changed;
}
