// Waker Worker entry (an extra `bun build --compile` entry point; URL from lib/runtime/worker-url.ts).
// One per load Worker, started by it: it sleeps in Atomics.wait until the load Worker's next send is
// near and then wakes it (wake-cell.ts), so the load Worker neither spins nor blocks while it waits.
import { nowMs } from "../runtime/clock.ts";
import { serveWakes } from "./wake-cell.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<SharedArrayBuffer>) => void) | null;
  postMessage(message: "ready"): void;
};

// The handler stays set: a Bun Worker with no message handler and nothing but a pending
// Atomics.waitAsync ends its event loop, and its waits with it.
scope.onmessage = (event) => {
  scope.postMessage("ready");
  void serveWakes(event.data, nowMs);
};
