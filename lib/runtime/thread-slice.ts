// Asks Linux to give threads a short scheduler slice, so that they run as soon as they wake.
//
// Why: every client thread (the load Worker, its waker and builder, the main thread, the engine's
// JIT compilers and allocator) may share one core. Linux's EEVDF scheduler (6.6+) lets the thread
// that holds the core keep it for its slice (about 1.4 ms here) when a sending thread wakes for a
// send time, and from 6.12 a thread that asked for a shorter slice (sched_setattr's sched_runtime,
// 0.1-100 ms, no privilege needed, for any thread of the same user) gets an earlier deadline and
// preempts on wake-up instead. Measured (docs/PERFORMANCE.md "Pacing cost"): at a constant 1,000
// req/s with the client pinned to one core, p99 schedule delay 1.7 ms against 2.9 ms without.
// A thread's CPU share does not change (its weight is its nice value's), only when it runs.
//
// Only where it can be asked for: Bun on Linux x86-64 or arm64 (bun:ffi to libc's syscall). On any
// other runtime or system, or when the kernel refuses (before 6.12 the field is ignored), nothing
// changes and the caller is told so; it is never an error. Loading bun:ffi costs a thread ~4 ms of
// CPU once (it compiles its call stubs), so the main thread asks for the sending threads by name,
// after a stage has started, rather than each thread on its own start-up path.
import { readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";

/** The slice asked for: the shortest the kernel accepts. */
export const SHORT_SLICE_NS = 100_000;

/** sched_setattr's number per architecture (asm-generic: arm64; x86-64's own table). */
const SCHED_SETATTR: Record<string, number> = { x64: 314, arm64: 274 };

/** struct sched_attr up to sched_period (SCHED_ATTR_SIZE_VER0): the kernel reads `size` bytes. */
const SCHED_ATTR_SIZE = 48;

/** The struct asking for SCHED_OTHER, nice `nice`, and a slice of `sliceNs` (sched_runtime). */
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

type SetAttr = (tid: number, attr: DataView) => boolean;

let setAttr: Promise<SetAttr | null> | null = null;

/** sched_setattr through libc's syscall, loaded once per thread; null where it cannot be. */
function loadSetAttr(): Promise<SetAttr | null> {
  setAttr ??= (async () => {
    const syscallNumber = SCHED_SETATTR[process.arch];
    if (typeof Bun === "undefined" || process.platform !== "linux" || syscallNumber === undefined)
      return null;
    try {
      const ffi = await import("bun:ffi");
      const libc = ffi.dlopen("libc.so.6", {
        syscall: {
          args: [ffi.FFIType.i64, ffi.FFIType.i64, ffi.FFIType.ptr, ffi.FFIType.i64],
          returns: ffi.FFIType.i64,
        },
      });
      return (tid, attr) => Number(libc.symbols.syscall(syscallNumber, tid, ffi.ptr(attr), 0)) === 0;
    } catch {
      // No libc.so.6 (musl, a static system) or no FFI: nothing asked, nothing changed.
      return null;
    }
  })();
  return setAttr;
}

/** A thread's nice value (0: the calling thread), kept as it is: sched_setattr sets nice and slice together. */
function niceOf(tid: number): number {
  try {
    return getPriority(tid);
  } catch {
    return 0;
  }
}

/** Asks for a short slice for the calling thread. Returns whether the kernel accepted it. */
export async function requestShortSlice(sliceNs = SHORT_SLICE_NS): Promise<boolean> {
  const set = await loadSetAttr();
  return set?.(0, schedAttr(sliceNs, niceOf(0))) ?? false;
}

/**
 * Asks for a short slice for every thread of this process named one of `names` (a Worker's thread
 * takes the Worker's name). Returns how many accepted it; 0 where slices cannot be asked for.
 */
export async function shortenThreadSlices(
  names: readonly string[],
  sliceNs = SHORT_SLICE_NS,
): Promise<number> {
  const set = await loadSetAttr();
  if (set === null) return 0;
  let accepted = 0;
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      if (!names.includes(readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim())) continue;
      if (set(Number(tid), schedAttr(sliceNs, niceOf(Number(tid))))) accepted++;
    } catch {
      // The thread ended between the listing and its name: nothing to ask.
    }
  }
  return accepted;
}
