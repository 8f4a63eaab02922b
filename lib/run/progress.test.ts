import { expect, test } from "bun:test";
import { type ProgressSample, progressLine, startProgress } from "./progress.ts";

const sample: ProgressSample = {
  sent: 120,
  done: 100,
  failed: 2,
  inFlight: 20,
  elapsedS: 12,
  totalS: 60,
  stageId: 1,
};

test("progressLine() shows stage, elapsed/total, counters and rate", () => {
  expect(progressLine(sample, 9.95)).toBe(
    "stage 1  12.0/60.0 s  sent 120  done 100  failed 2  in flight 20  9.9 req/s",
  );
  expect(progressLine({ ...sample, totalS: null }, null)).toBe(
    "stage 1  12.0 s  sent 120  done 100  failed 2  in flight 20",
  );
});

test("on a terminal each tick redraws one line and stop() ends it; the rate comes from two samples", () => {
  const out: string[] = [];
  let current = { ...sample, done: 0, elapsedS: 0 };
  const progress = startProgress({
    sample: () => current,
    stream: { write: (t) => out.push(t), isTTY: true },
    ttyIntervalMs: 60_000,
  });
  progress.tick();
  current = { ...sample, done: 50, elapsedS: 5 };
  progress.tick();
  progress.stop();
  expect(out[0]).toStartWith("\r\x1b[2Kstage 1");
  expect(out[1]).toEndWith("10.0 req/s");
  expect(out.at(-1)).toBe("\n");
});

test("without a terminal ticks are plain lines, and quiet prints nothing", () => {
  const out: string[] = [];
  const plain = startProgress({
    sample: () => sample,
    stream: { write: (t) => out.push(t), isTTY: false },
    plainIntervalMs: 60_000,
  });
  plain.tick();
  plain.stop();
  expect(out).toEqual([`${progressLine(sample, null)}\n`]);
  const quietOut: string[] = [];
  const quiet = startProgress({
    sample: () => sample,
    stream: { write: (t) => quietOut.push(t), isTTY: true },
    quiet: true,
  });
  quiet.tick();
  quiet.stop();
  expect(quietOut).toEqual([]);
});
