// Asks Linux to give the calling thread a short scheduler slice, so that it runs as soon as it wakes.
//
// Why: every client thread (the load Worker, its waker and builder, the main thread, the engine's
// JIT compilers and allocator) may share one core. Linux's EEVDF scheduler (6.6+) lets the thread
// that holds the core keep it for its slice (about 1.4 ms here) when a sending thread wakes for a
// send time, and from 6.12 a thread that asked for a shorter slice (sched_setattr's sched_runtime,
// 0.1-100 ms, no privilege needed) gets an earlier deadline and preempts on wake-up instead.
// Measured (docs/PERFORMANCE.md "Pacing cost"): at a constant 1,000 req/s with the client pinned
// to one core, sends more than 1 ms late fell from 40-100 to 5-15 per second in steady state.
// A thread's CPU share does not change (its weight is its nice value's), only when it runs.
//
// Only where it can be asked for: Bun on Linux x86-64 or arm64 (bun:ffi to libc's syscall). On any
// other runtime or system, or when the kernel refuses (before 6.12 the field is ignored), nothing
// changes and the caller is told so; it is never an error.

import { getPriority } from "node:os";

/** The slice asked for: the shortest the kernel accepts. */
export const SHORT_SLICE_NS = 100_000;

/** sched_setattr's number per architecture (asm-generic: arm64; x86-64's own table). */
const SCHED_SETATTR: Record<string, number> = { x64: 314, arm64: 274 };

/** struct sched_attr up to sched_period (SCHED_ATTR_SIZE_VER0): the kernel reads `size` bytes. */
const SCHED_ATTR_SIZE = 48;

/** The struct asking for SCHED_OTHER, nice 0, and a slice of `sliceNs` (sched_runtime). */
export function schedAttr(sliceNs: number, nice = 0): DataView {
  const attr = new DataView(new ArrayBuffer(SCHED_ATTR_SIZE));
  attr.setUint32(0, SCHED_ATTR_SIZE, true); // size
  attr.setUint32(4, 0, true); // policy: SCHED_OTHER
  attr.setBigUint64(8, 0n, true); // flags
  attr.setInt32(16, nice, true); // sched_nice
  attr.setUint32(20, 0, true); // sched_priority
  attr.setBigUint64(24, BigInt(sliceNs), true); // sched_runtime: the requested slice
  return attr;
}

/**
 * Asks for a short slice for the calling thread (sched_setattr on tid 0 applies to the caller only).
 * Returns whether the kernel accepted it.
 */
export async function requestShortSlice(nice = currentNice(), sliceNs = SHORT_SLICE_NS): Promise<boolean> {
  const syscallNumber = SCHED_SETATTR[process.arch];
  if (typeof Bun === "undefined" || process.platform !== "linux" || syscallNumber === undefined) return false;
  try {
    const ffi = await import("bun:ffi");
    const libc = ffi.dlopen("libc.so.6", {
      syscall: {
        args: [ffi.FFIType.i64, ffi.FFIType.i64, ffi.FFIType.ptr, ffi.FFIType.i64],
        returns: ffi.FFIType.i64,
      },
    });
    try {
      const attr = schedAttr(sliceNs, nice);
      return Number(libc.symbols.syscall(syscallNumber, 0, ffi.ptr(attr), 0)) === 0;
    } finally {
      libc.close();
    }
  } catch {
    // No libc.so.6 (musl, a static system) or no FFI: nothing asked, nothing changed.
    return false;
  }
}

/** The calling thread's nice value, kept as it is: sched_setattr sets nice and slice together. */
function currentNice(): number {
  try {
    return getPriority(0);
  } catch {
    return 0;
  }
}
