// A wake-up call between two threads through one SharedArrayBuffer: the sender asks to be woken at
// an absolute time and awaits it with Atomics.waitAsync, so its event loop keeps reading and stamping
// responses meanwhile; the waker thread blocks in Atomics.wait with a timeout (a futex with a
// sub-millisecond deadline, unlike timers, which are 1 ms granular: docs/runtime-facts.md §4) and
// notifies the sender when the time comes. One request is outstanding at a time; a newer one
// replaces it. No clock of its own: both sides pass `now`.
//
// Layout: Int32 [REQUESTED, FIRED] (request generations), Float64 at byte 8: the time asked for.
// The sender writes the time, then publishes the generation with a sequentially consistent store, so
// a waker that loads that generation reads that time (or a newer request's, which it then re-reads).

const REQUESTED = 0;
const FIRED = 1;
const AT_BYTE = 8;
const BYTES = 16;

/**
 * Longest single block of the waker thread. A sender asks at most a few tens of ms ahead (it re-checks
 * its stop flag); this bound only matters if it did not, so the waker still returns to its event loop
 * (where a Worker is terminated: Deno cannot end a thread blocked in Atomics.wait).
 */
export const MAX_BLOCK_MS = 100;

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** Atomics.waitAsync (ES2024; Bun and Deno have it), or undefined where the runtime lacks it. */
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** True where a waker can be used (Atomics.waitAsync exists). */
export const wakeSupported = typeof waitAsync === "function";

/** A fresh cell: share it with exactly one waker and one sender. */
export function createWakeCell(): SharedArrayBuffer {
  return new SharedArrayBuffer(BYTES);
}

/** Resolves once `slot` holds a generation at or after `generation` (wrap-safe). */
async function reached(cell: Int32Array, slot: number, generation: number): Promise<void> {
  for (;;) {
    const seen = Atomics.load(cell, slot);
    if (((seen - generation) | 0) >= 0) return;
    const result = waitAsync!(cell, slot, seen);
    if (result.async) await result.value;
  }
}

/** The sender's side: `wakeAt(t)` resolves once the waker has seen the clock reach t. */
export class WakeRequester {
  readonly #flags: Int32Array;
  readonly #at: Float64Array;
  #generation = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.#flags = new Int32Array(buffer, 0, 2);
    this.#at = new Float64Array(buffer, AT_BYTE, 1);
  }

  wakeAt(atMs: number): Promise<void> {
    this.#at[0] = atMs;
    const generation = (this.#generation = (this.#generation + 1) | 0);
    Atomics.store(this.#flags, REQUESTED, generation);
    Atomics.notify(this.#flags, REQUESTED);
    return reached(this.#flags, FIRED, generation);
  }
}

/**
 * The waker's side, forever: idle without blocking (so the thread can be terminated), block until
 * the time asked for or a newer request, then notify. Meant for a thread that does nothing else.
 */
export async function serveWakes(buffer: SharedArrayBuffer, now: () => number): Promise<never> {
  const flags = new Int32Array(buffer, 0, 2);
  const at = new Float64Array(buffer, AT_BYTE, 1);
  let served = Atomics.load(flags, FIRED);
  for (;;) {
    const requested = Atomics.load(flags, REQUESTED);
    if (requested === served) {
      await reached(flags, REQUESTED, (served + 1) | 0);
      continue;
    }
    const left = at[0]! - now();
    if (left > 0) {
      // Returns early when a newer request is published; the loop then reads its time.
      Atomics.wait(flags, REQUESTED, requested, Math.min(left, MAX_BLOCK_MS));
      if (left > MAX_BLOCK_MS) await new Promise((resolve) => setTimeout(resolve, 0));
      continue;
    }
    served = requested;
    Atomics.store(flags, FIRED, requested);
    Atomics.notify(flags, FIRED);
  }
}
