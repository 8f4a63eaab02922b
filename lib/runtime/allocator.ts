// The allocator setting a load run starts with. Bun allocates with mimalloc, which by default hands
// freed pages back to the kernel about 10 ms after they empty (its "purge"); a run at 1,000 req/s frees
// and refills the same pages all the time, so a background thread makes hundreds of `madvise` calls a
// second and the load thread faults the pages back in, each one a page-table change, which costs most
// on paravirtualized kernels. With purging off the client's system time halves and late sends fall
// (docs/PERFORMANCE.md "Pacing cost"), for ~30 MB more peak memory. mimalloc reads its options from the
// environment only when the process loads, so a long run replaces its own process image (`execve`:
// same pid, stdio, process group and signals; nothing in between to forward) with the variable set.
// Which runs are long enough to be worth it is lib/run/allocator-relaunch.ts's call.
import { runtimeName } from "./index.ts";

/** The environment mimalloc should load with for a load run. */
export const LOAD_ALLOCATOR_ENV: Readonly<Record<string, string>> = { MIMALLOC_PURGE_DELAY: "-1" };

export interface ProcessShape {
  execPath: string;
  /** The runtime's own flags (`bun --smol x.ts`): kept across the relaunch. */
  execArgv: readonly string[];
  /** As the runtime gives it: [runtime, script, ...args] from source, [runtime, virtual path, ...args] compiled. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  compiled: boolean;
}

export interface Relaunch {
  file: string;
  argv: string[];
  env: Record<string, string>;
}

/**
 * How to start this process again with the load allocator settings, or null when they are already in
 * place. A variable the user set (to any value, even empty) is theirs and stays, so setting
 * `MIMALLOC_PURGE_DELAY` is also how to keep mimalloc's default; and the relaunched process finds
 * it set, so there is never a second relaunch.
 */
export function relaunchFor(shape: ProcessShape): Relaunch | null {
  const missing = Object.entries(LOAD_ALLOCATOR_ENV).filter(([name]) => shape.env[name] === undefined);
  if (missing.length === 0) return null;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(shape.env)) if (value !== undefined) env[name] = value;
  for (const [name, value] of missing) env[name] = value;
  // A compiled binary's argv[1] is its own virtual path, which the binary adds again itself.
  const script = shape.compiled ? [] : shape.argv.slice(1, 2);
  return {
    file: shape.execPath,
    argv: [shape.execPath, ...shape.execArgv, ...script, ...shape.argv.slice(2)],
    env,
  };
}

type Execve = (file: string, argv: string[], env: Record<string, string>) => never;

/** Whether this process is the CLI's own, which a run may replace; not when a test calls the CLI in-process. */
let ownsProcess = false;

/** Called by the executable's entry: a run in this process may replace it. */
export function allowRelaunch(): void {
  ownsProcess = true;
}

function execveOf(): Execve | undefined {
  const execve = (process as unknown as { execve?: Execve }).execve;
  return typeof execve === "function" ? execve : undefined;
}

/**
 * How this process would start again with the load allocator settings, or null when it would not:
 * they are in place already, the process is not the CLI's own (a test calling the CLI in-process), or
 * the runtime is not Bun on Linux (where they were measured; another runtime has another allocator).
 */
export function loadAllocatorRelaunch(compiled: boolean): Relaunch | null {
  if (!ownsProcess || runtimeName() !== "bun" || process.platform !== "linux" || execveOf() === undefined)
    return null;
  return relaunchFor({
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    env: process.env,
    compiled,
  });
}

/**
 * Replaces this process (it does not return when that works), with `extraEnv` added. Must run before
 * anything starts that the new image would need: requests, reports. Returns the error when the system
 * refuses the exec (a seccomp profile, a binary replaced mid-run), and the run goes on as it is.
 */
export function execRelaunch(plan: Relaunch, extraEnv: Readonly<Record<string, string>> = {}): unknown {
  try {
    execveOf()?.call(process, plan.file, plan.argv, { ...plan.env, ...extraEnv });
    return new Error("execve is not available");
  } catch (error) {
    return error;
  }
}
