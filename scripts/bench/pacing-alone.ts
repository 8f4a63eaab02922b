// The load Worker's wait alone, for pacing.ts: the real waits (lib/worker/waker.ts: the waker Worker or
// timer-then-spin) on a real schedule (lib/load), with no requests, so what pacing costs shows
// without the cost of sending and reading, which a busy machine inflates. Prints one JSON line: the
// process's CPU time over the schedule (user + sys, every thread), and each wait's lateness.
// "floor" is no pacing of ours: this one thread blocks in Atomics.wait until each send time, with no
// Worker, event loop or other thread in the way, so its lateness is what the machine itself (timer,
// scheduler, hypervisor) adds to a wake at that moment: the floor any pacing on this core stands on.
//
//   bun scripts/bench/pacing-alone.ts <constant|poisson> <rate> <seconds> <waker|timer-spin|floor>
import { constantOffsets } from "../../lib/load/constant.ts";
import { poissonOffsets } from "../../lib/load/poisson.ts";
import { createRng } from "../../lib/load/rng.ts";
import { percentileSorted } from "../../lib/metrics/percentiles.ts";
import { nowMs } from "../../lib/runtime/clock.ts";
import { choosePacing, startPacing } from "../../lib/worker/waker.ts";

const [arrival = "constant", rateArg = "1000", secondsArg = "10", pacingArg = "waker"] =
  process.argv.slice(2);
const opts = { rate: Number(rateArg), durationS: Number(secondsArg) };
const offsets = arrival === "poisson" ? poissonOffsets(opts, createRng(1)) : constantOffsets(opts);
const blocked = new Int32Array(new SharedArrayBuffer(4));
/** The floor: a bare timed futex wait on this thread, nothing to notify it early. */
const floor = {
  wait(due: number): Promise<void> {
    const ms = due - nowMs();
    if (ms > 0) Atomics.wait(blocked, 0, 0, ms);
    return Promise.resolve();
  },
  sent(_lateMs: number): void {},
  stop(): void {},
};
const paced =
  pacingArg === "floor"
    ? floor
    : await startPacing(choosePacing({ INFERLOAD_PACING: pacingArg }), (error) => {
        throw error;
      });

// Starts 100 ms out, as a stage does after its Workers are primed; measured from then on.
const t0 = nowMs() + 100;
await paced.wait(t0);
const late = new Float64Array(offsets.length);
const cpu = process.cpuUsage();
for (let k = 0; k < offsets.length; k++) {
  const due = t0 + offsets[k]!;
  if (due > nowMs())
    await paced.wait(due, undefined, k + 1 < offsets.length ? t0 + offsets[k + 1]! : Number.NaN);
  late[k] = nowMs() - due;
  paced.sent(late[k]!);
}
const used = process.cpuUsage(cpu);
const wallS = (nowMs() - t0) / 1000;
paced.stop();
late.sort();
process.stdout.write(
  `${JSON.stringify({
    count: offsets.length,
    cpuS: (used.user + used.system) / 1e6,
    wallS,
    delayMedianMs: percentileSorted(late, 50),
    delayP99Ms: percentileSorted(late, 99),
    overOneMs: late.filter((ms) => ms > 1).length,
  })}\n`,
);
