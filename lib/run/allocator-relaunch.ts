// Which runs start themselves again with the load allocator settings (lib/runtime/allocator.ts), and
// the relaunch itself. The new process costs a second start (~35 ms later to the first request, its
// Workers started again): worth it for a run that sends thousands of requests, where purging off saves
// ~50 µs of system time per request at 1,000 req/s and a fifth to a third of the late sends; not for a
// short run, whose start-up is most of its time (docs/PERFORMANCE.md "Start-up", "Pacing cost").
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { log } from "../cli/log.ts";
import {
  configTextFromStdin,
  removeHandoff,
  STDIN_HANDOFF_ENV,
  STDIN_HANDOFF_PREFIX,
} from "../config/read.ts";
import type { LoadPlanView } from "../load/plan-run.ts";
import { execRelaunch, loadAllocatorRelaunch } from "../runtime/allocator.ts";

/** A run planning this many requests or more starts itself again (5 s at 1,000 req/s). */
export const RELAUNCH_MIN_REQUESTS = 5_000;

/** The parts of `config.load` the count reads: the planner's view, and whether a sweep is set. */
export type LoadCountView = LoadPlanView & { sweep?: unknown };

/**
 * The requests a run plans to send, as far as the config alone says; a sweep counts as unbounded (a
 * probe and stages of minutes each). Session stages count one per session they name (a session's
 * calls are in the corpus, not read yet), so a session run is relaunched only when it names enough.
 */
export function plannedRequests(load: LoadCountView): number {
  if (load.sweep !== null && load.sweep !== undefined) return Number.POSITIVE_INFINITY;
  let total = 0;
  for (const stage of load.stages) {
    if (load.type === "concurrent") total += stage.num_requests ?? 0;
    else if (load.type === "trace_session_replay") total += stage.num_sessions ?? 0;
    else total += Math.round((stage.rate ?? 0) * (stage.duration ?? 0));
  }
  return total;
}

export function worthRelaunching(load: LoadCountView): boolean {
  return plannedRequests(load) >= RELAUNCH_MIN_REQUESTS;
}

/**
 * For a long run: replaces this process with one that has the load allocator settings and the same
 * arguments (a config read from standard input is handed over in a private temporary file), so it
 * reads its config again and runs. Returns when the run is short, the settings are already in place,
 * or the exec failed: the run then goes on here. Call after the config is read and before anything
 * is printed, created or sent.
 */
export function relaunchLongRun(load: LoadCountView, compiled: boolean): void {
  if (!worthRelaunching(load)) return;
  const plan = loadAllocatorRelaunch(compiled);
  if (plan === null) return;
  const stdinText = configTextFromStdin();
  let handoff: string | undefined;
  if (stdinText !== undefined) {
    handoff = join(mkdtempSync(join(tmpdir(), STDIN_HANDOFF_PREFIX)), "config");
    writeFileSync(handoff, stdinText, { mode: 0o600 });
  }
  const refused = execRelaunch(plan, handoff === undefined ? {} : { [STDIN_HANDOFF_ENV]: handoff });
  // Still here: the exec was refused. The run goes on with the allocator's defaults, and says so.
  if (handoff !== undefined) removeHandoff(handoff);
  log.warn(
    `Could not restart with mimalloc's purging off (${refused instanceof Error ? refused.message : String(refused)}); running with the allocator's defaults (docs/load-engine.md)`,
  );
}
