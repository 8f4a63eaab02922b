// Load Workers started before the run knows its config: a Worker's thread and module graph take
// about as long to come up as the main thread takes to read and check the config, so `run` starts
// one first and the pool adopts it (docs/PERFORMANCE.md "Start-up"). Workers not adopted must be
// discarded, or they keep the process alive.
import { workerUrl } from "../runtime/worker-url.ts";

const spare: Worker[] = [];

/** Starts `count` load Workers now; they wait, idle, for the pool's init message. */
export function prespawnWorkers(count: number): void {
  for (let i = 0; i < count; i++) spare.push(new Worker(workerUrl("load"), { type: "module" }));
}

/** A started Worker if one is waiting, else a new one. */
export function takeWorker(): Worker {
  return spare.shift() ?? new Worker(workerUrl("load"), { type: "module" });
}

/** Ends the Workers no pool adopted (the config was refused, or asked for fewer). */
export function discardPrespawned(): void {
  for (const worker of spare.splice(0)) worker.terminate();
}
