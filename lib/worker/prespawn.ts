// Workers started before the run knows its config: a Worker's thread and module graph take about as
// long to come up as the main thread takes to read and check the config, so `run` starts a load
// Worker and its builder first and the pool adopts them (docs/PERFORMANCE.md "Start-up"). Workers not
// adopted must be discarded, or they keep the process alive. A session workload needs no builder
// (its load Workers build each turn), so its pool ends the early builder at once.
import { type WorkerEntryName, workerUrl } from "../runtime/worker-url.ts";

type Role = Extract<WorkerEntryName, "load" | "build">;

const spare: Record<Role, Worker[]> = { load: [], build: [] };
/** Workers of each role started in this process so far, early or not (tests read it). */
const started: Record<Role, number> = { load: 0, build: 0 };

function start(role: Role): Worker {
  started[role]++;
  return new Worker(workerUrl(role), { type: "module", name: role });
}

/** Starts `count` load Workers and as many builders now; they wait, idle, for the pool's init message. */
export function prespawnWorkers(count: number): void {
  for (let i = 0; i < count; i++) {
    spare.load.push(start("load"));
    spare.build.push(start("build"));
  }
}

/** A started Worker of that role if one is waiting, else a new one. */
export function takeWorker(role: Role): Worker {
  return spare[role].shift() ?? start(role);
}

/** How many started Workers wait for a pool, per role. */
export function prespawnedCount(): Record<Role, number> {
  return { load: spare.load.length, build: spare.build.length };
}

/** How many Workers of each role this process has started. */
export function startedCount(): Record<Role, number> {
  return { ...started };
}

/** Ends the Workers no pool adopted (the config was refused, or asked for fewer), or only those of `role`. */
export function discardPrespawned(role?: Role): void {
  const roles: Role[] = role === undefined ? ["load", "build"] : [role];
  for (const r of roles) for (const worker of spare[r].splice(0)) worker.terminate();
}
