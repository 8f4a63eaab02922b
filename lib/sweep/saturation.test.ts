import { describe, expect, test } from "bun:test";
import { UserError } from "../cli/errors.ts";
import { createRng } from "../load/rng.ts";
import { estimateSaturation, type ProbeCompletion } from "./saturation.ts";

/**
 * A closed-loop probe against a server with `slots` parallel slots and a FIFO queue, simulated
 * exactly: `concurrency` requests sent at t = 0, each completion immediately replaced until `total`
 * were sent. Service times come from `service(i)` (ms). True capacity = slots / mean service time.
 */
function simulateProbe(opts: {
  slots: number;
  concurrency: number;
  total: number;
  service: (i: number) => number;
}): ProbeCompletion[] {
  const sent: number[] = [];
  const queue: number[] = []; // request ids waiting for a slot, FIFO
  const running: { id: number; end: number }[] = [];
  const done: ProbeCompletion[] = [];
  let now = 0;
  const send = (at: number) => {
    const id = sent.length;
    sent.push(at);
    queue.push(id);
  };
  for (let i = 0; i < Math.min(opts.concurrency, opts.total); i++) send(0);
  while (done.length < opts.total) {
    while (running.length < opts.slots && queue.length > 0) {
      const id = queue.shift() as number;
      running.push({ id, end: now + opts.service(id) });
    }
    running.sort((a, b) => a.end - b.end);
    const next = running.shift() as { id: number; end: number };
    now = next.end;
    done.push({ sentMs: sent[next.id] as number, endMs: now });
    if (sent.length < opts.total) send(now);
  }
  return done;
}

const base = { failures: 0, startMs: 0, timeoutS: 3600, percentile: 95 };

describe("estimateSaturation()", () => {
  test("finds slots / service time exactly when requests complete in waves (8 slots × 100 ms → 80 req/s)", () => {
    const completions = simulateProbe({ slots: 8, concurrency: 1000, total: 2000, service: () => 100 });
    const result = estimateSaturation({ ...base, completions });
    expect(result.maxRate).toBeCloseTo(80, 6);
    expect(result.burnRate.median).toBeCloseTo(80, 6);
    expect(result.minLatencyS).toBeCloseTo(0.1, 9);
    expect(result.completions).toBe(2000);
  });

  test("stays within 3% when the waves are jittered by up to ±5 ms (16 slots × 50 ms → 320 req/s)", () => {
    const rng = createRng(11);
    const completions = simulateProbe({
      slots: 16,
      concurrency: 1000,
      total: 2000,
      service: () => 45 + 10 * rng.next(),
    });
    const result = estimateSaturation({ ...base, completions });
    expect(Math.abs(result.maxRate / 320 - 1)).toBeLessThan(0.03);
  });

  test("stays within 15% for spread-out service times (32 slots, 20–180 ms → 320 req/s)", () => {
    const rng = createRng(12);
    const completions = simulateProbe({
      slots: 32,
      concurrency: 1000,
      total: 2000,
      service: () => 20 + 160 * rng.next(),
    });
    const result = estimateSaturation({ ...base, completions });
    expect(result.maxRate).toBeGreaterThan(320 * 0.97);
    expect(result.maxRate).toBeLessThan(320 * 1.15);
    // The median burn rate is the unbiased middle; p95 sits above it by the window noise.
    expect(Math.abs(result.burnRate.median / 320 - 1)).toBeLessThan(0.05);
  });

  test("finds the rate at the client's concurrency when the server has more slots than the probe fills", () => {
    // 2000 slots, 1000 in flight, 200 ms each: two waves of 1000, 5000 req/s.
    const completions = simulateProbe({ slots: 2000, concurrency: 1000, total: 2000, service: () => 200 });
    expect(estimateSaturation({ ...base, completions }).maxRate).toBeCloseTo(5000, 6);
  });

  test("skips the catch-up burst after a server stall at the start (warm-up)", () => {
    // 8 slots × 100 ms, but the server stalls for the first second and then emits the 10 overdue
    // waves within 50 ms; after that, one wave every 100 ms until 5 s. True rate: 80 req/s.
    const burst = Array.from({ length: 80 }, (_, i) => ({ sentMs: 0, endMs: 1000 + (i * 50) / 80 }));
    const steady = Array.from({ length: 40 * 8 }, (_, i) => ({
      sentMs: 0,
      endMs: 1100 + Math.floor(i / 8) * 100,
    }));
    const result = estimateSaturation({ ...base, completions: [...burst, ...steady] });
    expect(result.warmupS).toBe(2);
    expect(result.maxRate).toBeCloseTo(80, 6);
    // Without the warm-up the burst alone is a rate of 1,600 req/s.
  });

  test("ignores completions after the timeout", () => {
    // 80 req/s for 10 s, then a fast tail that would raise the rate if it were counted.
    const completions = simulateProbe({ slots: 8, concurrency: 1000, total: 800, service: () => 100 });
    const tail = Array.from({ length: 500 }, (_, i) => ({ sentMs: 0, endMs: 10_050 + i }));
    const result = estimateSaturation({ ...base, timeoutS: 10.01, completions: [...completions, ...tail] });
    expect(result.completions).toBe(800);
    expect(result.maxRate).toBeCloseTo(80, 6);
  });

  test("takes the configured percentile of the burn rates", () => {
    // The rate doubles halfway: 50 req/s for 10 s, then 100 req/s for 10 s.
    const completions = [
      ...Array.from({ length: 500 }, (_, i) => ({ sentMs: 0, endMs: (i + 1) * 20 })),
      ...Array.from({ length: 1000 }, (_, i) => ({ sentMs: 10_000, endMs: 10_000 + (i + 1) * 10 })),
    ];
    const p95 = estimateSaturation({ ...base, completions }).maxRate;
    const p5 = estimateSaturation({ ...base, percentile: 5, completions }).maxRate;
    expect(p95).toBeCloseTo(100, 6);
    expect(p5).toBeCloseTo(50, 6);
  });

  test("refuses too few completions with a message saying what to raise", () => {
    const completions = Array.from({ length: 9 }, (_, i) => ({ sentMs: 0, endMs: 100 * (i + 1) }));
    let error: unknown;
    try {
      estimateSaturation({ ...base, failures: 1991, timeoutS: 60, completions });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      "Cannot estimate the saturation point: the probe completed 9 requests within sweep.timeout (60 s) (1991 failed)",
    );
    expect((error as UserError).details[0]).toContain("raise sweep.timeout or sweep.num_requests");
  });

  test("refuses completions that all happened at one instant", () => {
    const completions = Array.from({ length: 50 }, () => ({ sentMs: 0, endMs: 100 }));
    expect(() => estimateSaturation({ ...base, completions })).toThrow(/all at the same instant/);
  });
});
