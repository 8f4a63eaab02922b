// The allocator setting a load run starts with. Bun allocates with mimalloc, which by default hands
// freed pages back to the kernel about 10 ms after they empty (its "purge"); a run at 1,000 req/s frees
// and refills the same pages all the time, so a background thread makes ~190 `madvise`/`munmap` calls
// a second and the load thread faults the pages back in, each one a page-table change, which costs most
// on paravirtualized kernels. With purging off the client's system time halves and late sends fall
// (docs/PERFORMANCE.md "Pacing cost"), for ~30 MB more peak memory. mimalloc reads its options from the
// environment only when the process loads, so `run` replaces its own process image (`execve`: same
// pid, stdio, process group and signals; nothing in between to forward) with the variable set.
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

/**
 * Replaces this process with one that has the load allocator settings, when the runtime is Bun on
 * Linux (where they were measured) and they are missing; otherwise returns. Must run before anything
 * reads stdin or starts a thread whose work would be lost. If the exec fails the run goes on as it is.
 */
export function relaunchWithLoadAllocator(compiled: boolean): void {
  if (runtimeName() !== "bun" || process.platform !== "linux") return;
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve !== "function") return;
  const plan = relaunchFor({
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    env: process.env,
    compiled,
  });
  if (plan === null) return;
  try {
    execve.call(process, plan.file, plan.argv, plan.env);
  } catch {
    // An exec refused by the system (a seccomp profile, a binary deleted mid-run): the run is only
    // slower for it, which its own schedule line will show.
  }
}
