import { expect, test } from "bun:test";
import { startSimOnFreePort } from "./start.ts";
import type { TruthRecord } from "./truth-log.ts";

test("with --max-num-seqs 4 and 8 concurrent streams, 4 wait for a slot and their TTFT shows the wait", async () => {
  const truths: TruthRecord[] = [];
  // A slot is held for prefill 100 + (5 − 1) × 20 = 180 ms; waiting requests get one only then.
  const sim = await startSimOnFreePort({
    maxNumSeqs: 4,
    prefillMs: 100,
    itlMs: 20,
    onTruth: (r) => truths.push(r),
  });
  try {
    const body = JSON.stringify({ prompt: "hello", max_tokens: 5, ignore_eos: true, stream: true });
    const one = async () => {
      const sent = performance.now();
      const res = await fetch(`${sim.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let ttft = Number.NaN;
      for (;;) {
        const { done } = await reader.read();
        if (done) return ttft;
        if (Number.isNaN(ttft)) ttft = performance.now() - sent;
      }
    };
    const ttfts = (await Promise.all(Array.from({ length: 8 }, one))).sort((a, b) => a - b);
    const stats = sim.stats();
    expect(stats).toMatchObject({ maxRunning: 4, maxWaiting: 4, maxConcurrent: 8, running: 0, waiting: 0 });
    // Server's view: exactly 4 got a slot on arrival; 4 waited until the first ones finished (180 ms
    // model time after the first admission; ≥ 50 ms leaves room for requests arriving up to 130 ms apart).
    const waits = truths.map((t) => t.queueMs).sort((a, b) => a - b);
    expect(waits).toHaveLength(8);
    expect(waits.slice(0, 4)).toEqual([0, 0, 0, 0]);
    for (const w of waits.slice(4)) expect(w).toBeGreaterThanOrEqual(50);
    // Client's view: tokens are never written before they are due, so these are safe lower bounds.
    for (const t of ttfts.slice(0, 4)) expect(t).toBeGreaterThanOrEqual(100);
    for (const t of ttfts.slice(4)) expect(t).toBeGreaterThanOrEqual(200);
  } finally {
    await sim.stop();
  }
});
