// Wake-up calls between two threads through one SharedArrayBuffer: the sender asks to be woken at
// absolute times and awaits each with Atomics.waitAsync, so its event loop keeps reading and stamping
// responses meanwhile; the waker thread blocks in Atomics.wait with a timeout (a futex with a
// sub-millisecond deadline, unlike timers, which are 1 ms granular: docs/runtime-facts.md §4) and
// notifies the sender when a time comes. No clock of its own: both sides pass `now`.
//
// Requests are numbered (generations) and their times kept in a small ring, so the sender may ask
// for its next send's wake before the current one fires: the waker then goes straight from firing
// one to sleeping until the next, one thread switch per send instead of two (one to learn of the
// request, one at its time). FIRED is a high-water mark: when the clock passes the times of pending
// requests, the waker fires the newest of them, which also releases any older one still pending (a
// superseded request; its waiter re-checks the clock itself). The sender notifies the waker only when
// it may be sleeping past the new time (nothing pending, or the new time is the earliest), so asking
// ahead for a later time costs the waker nothing.
//
// Layout: Int32 [REQUESTED, FIRED] (generations), then RING Float64 times, slot = generation % RING.
// The sender writes a time, then publishes its generation with a sequentially consistent store, and
// never has RING requests unfired (it asks at most two ahead), so a slot is never rewritten while the
// waker may read it.

const REQUESTED = 0;
const FIRED = 1;
const TIMES_BYTE = 8;
const RING = 8;
const MASK = RING - 1;
const BYTES = TIMES_BYTE + RING * 8;

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

/** The sender's side: `request(t)` numbers a wake-up call, `reached(n)` resolves once it has fired. */
export class WakeRequester {
  readonly #flags: Int32Array;
  readonly #times: Float64Array;
  #generation = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.#flags = new Int32Array(buffer, 0, 2);
    this.#times = new Float64Array(buffer, TIMES_BYTE, RING);
  }

  /** Asks to be woken at `atMs`; its generation, or -1 when too many are still unfired (then spin). */
  request(atMs: number): number {
    const generation = (this.#generation + 1) | 0;
    if (((generation - Atomics.load(this.#flags, FIRED)) | 0) >= RING) return -1;
    this.#times[generation & MASK] = atMs;
    this.#generation = generation;
    Atomics.store(this.#flags, REQUESTED, generation);
    // Read after the store (both sequentially consistent): a waker that fired everything before it
    // and went idle is either seen here, or sees this request itself.
    const fired = Atomics.load(this.#flags, FIRED);
    let earliest = Number.POSITIVE_INFINITY;
    for (let g = (fired + 1) | 0; g !== generation; g = (g + 1) | 0) {
      const t = this.#times[g & MASK]!;
      if (t < earliest) earliest = t;
    }
    if (atMs < earliest) Atomics.notify(this.#flags, REQUESTED);
    return generation;
  }

  /** Resolves once request `generation` (or a newer one) has fired. */
  reached(generation: number): Promise<void> {
    return reached(this.#flags, FIRED, generation);
  }

  /** One wake-up call: resolves once the waker has seen the clock reach `atMs`. */
  wakeAt(atMs: number): Promise<void> {
    const generation = this.request(atMs);
    return generation === -1 ? Promise.resolve() : this.reached(generation);
  }
}

/**
 * The waker's side, forever: idle without blocking (so the thread can be terminated), block until
 * the earliest pending time or a new request, then fire the newest request whose time has come.
 * Meant for a thread that does nothing else.
 */
export async function serveWakes(buffer: SharedArrayBuffer, now: () => number): Promise<never> {
  const flags = new Int32Array(buffer, 0, 2);
  const times = new Float64Array(buffer, TIMES_BYTE, RING);
  let served = Atomics.load(flags, FIRED);
  for (;;) {
    const requested = Atomics.load(flags, REQUESTED);
    if (requested === served) {
      await reached(flags, REQUESTED, (served + 1) | 0);
      continue;
    }
    const t = now();
    let fire = served;
    let earliest = Number.POSITIVE_INFINITY;
    for (let g = (served + 1) | 0; ; g = (g + 1) | 0) {
      const at = times[g & MASK]!;
      if (at <= t) fire = g;
      else if (at < earliest) earliest = at;
      if (g === requested) break;
    }
    if (fire !== served) {
      served = fire;
      Atomics.store(flags, FIRED, fire);
      Atomics.notify(flags, FIRED);
      continue;
    }
    const left = earliest - t;
    // Returns early when a request for an earlier time is published; the loop then looks again.
    Atomics.wait(flags, REQUESTED, requested, Math.min(left, MAX_BLOCK_MS));
    if (left > MAX_BLOCK_MS) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
