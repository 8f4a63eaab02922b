// Start-up trace: with INFERLOAD_TRACE_START=1 in the environment, each thread writes one stderr line
// per step of its start (`inferload-trace <ms on the shared clock> <thread> <step>`), so
// scripts/bench/startup.ts can lay a launch out on a timeline. Off (the default) it is one boolean
// test per mark, and marks sit only on start-up steps, never on the send path.
import { writeSync } from "node:fs";
import { nowMs } from "./clock.ts";

const on = globalThis.process?.env?.INFERLOAD_TRACE_START === "1";

/** The line prefix the benchmark looks for. */
export const TRACE_PREFIX = "inferload-trace";

/** Notes that `thread` reached `step` now, when tracing is on. */
export function traceStart(thread: string, step: string): void {
  // A plain write to stderr: console.error's first use costs a thread several ms, which would show
  // in the very timeline it writes.
  if (on) writeSync(2, `${TRACE_PREFIX} ${nowMs().toFixed(3)} ${thread} ${step}\n`);
}
