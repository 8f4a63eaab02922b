// The one clock every thread stamps with: milliseconds since the epoch on a monotonic base
// (performance.timeOrigin + performance.now()). performance.timeOrigin is common to a process's Workers,
// so times taken in a load Worker, on the main thread and in the in-process simulator compare directly.

// Read once: the timeOrigin getter cost ~4% of the transport's and the simulator's CPU when read per
// socket read or per token under Bun.
const ORIGIN = performance.timeOrigin;

/** Milliseconds on the clock every thread shares. */
export function nowMs(): number {
  return ORIGIN + performance.now();
}
