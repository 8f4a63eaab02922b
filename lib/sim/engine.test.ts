import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import { createEngine, drawOutputLength, type EngineParams, type Sequence } from "./engine.ts";

const base: EngineParams = {
  maxNumSeqs: 4,
  prefillMs: 20,
  prefillMsPerToken: 0,
  itlMs: 10,
  itlGrowth: 0,
  itlJitter: 0,
  outputLenMean: 100,
  kvCacheTokens: 1000,
};

/** An engine on a fake clock; run(until) advances it 1 ms at a time, like the real driver. */
function fakeEngine(params: Partial<EngineParams> = {}, seed = 1) {
  let now = 0;
  const engine = createEngine({ ...base, ...params }, { now: () => now, rng: createRng(seed) });
  const events: { seq: number; index: number; last: boolean; due: number; at: number }[] = [];
  const submit = (promptTokens: number, maxTokens: number, ignoreEos = true, model = "m"): Sequence => {
    const holder: { seq?: Sequence } = {};
    holder.seq = engine.submit(
      { model, promptTokens, maxTokens, ignoreEos },
      {
        onToken: (index, last, due) => events.push({ seq: holder.seq?.id ?? -1, index, last, due, at: now }),
      },
    );
    return holder.seq;
  };
  const run = (until: number, step = 1) => {
    for (; now <= until; now += step) engine.advance(now);
    now = until;
  };
  return { engine, events, submit, run, setNow: (t: number) => (now = t) };
}

describe("createEngine()", () => {
  test("schedules token 1 at prefill and each next token one ITL later", () => {
    const { events, submit, run } = fakeEngine({ prefillMsPerToken: 0.5 });
    submit(40, 3); // prefill 20 + 0.5 × 40 = 40 ms
    run(200);
    // row: index → due time (ms)
    expect(events.map((e) => [e.index, e.due, e.last])).toEqual([
      [0, 40, false], // admitted at 0, prefill 40
      [1, 50, false], // + ITL 10
      [2, 60, true], // + ITL 10, last
    ]);
  });

  test("with 4 slots and 8 requests, 4 wait and each starts when a slot frees", () => {
    const { engine, events, submit, run } = fakeEngine();
    const seqs = Array.from({ length: 8 }, () => submit(10, 5));
    expect(engine.stats()).toMatchObject({ running: 4, waiting: 4, maxConcurrent: 8, maxWaiting: 4 });
    expect(engine.modelLoad("m")).toEqual({ running: 4, waiting: 4 });
    run(500);
    // Slot holding time = prefill 20 + (5 − 1) × ITL 10 = 60 ms, so requests 5-8 are admitted at 60.
    expect(seqs.map((s) => s.admittedMs)).toEqual([0, 0, 0, 0, 60, 60, 60, 60]);
    const firsts = events.filter((e) => e.index === 0).map((e) => e.due);
    expect(firsts).toEqual([20, 20, 20, 20, 80, 80, 80, 80]);
    expect(engine.stats()).toMatchObject({ running: 0, waiting: 0, finished: 8, kvTokens: 0 });
  });

  test("a saturated engine completes max_num_seqs / (prefill + (n - 1) × itl) requests per ms", () => {
    const { engine, events, submit, run } = fakeEngine({ maxNumSeqs: 3, prefillMs: 15, itlMs: 5 });
    for (let i = 0; i < 300; i++) submit(0, 20);
    run(12000);
    const ends = events.filter((e) => e.last).map((e) => e.due);
    // 3 slots × 100 rounds; each round holds a slot for 15 + 19 × 5 = 110 ms, so round k ends at k × 110.
    expect(ends).toHaveLength(300);
    expect(ends.slice(0, 3)).toEqual([110, 110, 110]);
    expect(ends.slice(-3)).toEqual([11000, 11000, 11000]);
    // 3 / 110 requests per ms = 27.27 req/s: exactly the formula, however late the 1 ms driver fires.
    expect((300 / Math.max(...ends)) * 1000).toBeCloseTo((3 / 110) * 1000, 6);
    expect(engine.stats().finished).toBe(300);
  });

  test("due times do not depend on how late the driver fires", () => {
    const dues = (step: number) => {
      const { events, submit, run } = fakeEngine({ maxNumSeqs: 2 });
      for (let i = 0; i < 6; i++) submit(0, 4);
      run(1000, step);
      return events
        .map((e) => [e.seq, e.index, e.due])
        .sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
    };
    expect(dues(7)).toEqual(dues(1));
  });

  test("ITL grows with the number of running sequences when itlGrowth is set", () => {
    const { events, submit, run } = fakeEngine({ itlGrowth: 0.5, maxNumSeqs: 8 });
    submit(0, 2);
    submit(0, 2);
    run(100);
    // Both admitted at 0, first tokens at 20; the next gap is 10 × (1 + 0.5 × (2 − 1)) = 15 ms.
    expect(events.filter((e) => e.index === 1).map((e) => e.due)).toEqual([35, 35]);
  });

  test("jittered ITLs are seeded: the same seed gives the same due times", () => {
    const times = (seed: number) => {
      const { events, submit, run } = fakeEngine({ itlJitter: 0.3 }, seed);
      submit(0, 30);
      run(2000);
      return events.map((e) => e.due);
    };
    expect(times(7)).toEqual(times(7));
    expect(times(7)).not.toEqual(times(8));
    expect(
      new Set(
        times(7)
          .slice(1)
          .map((t, i) => t - (times(7)[i] as number)),
      ).size,
    ).toBeGreaterThan(5);
  });

  test("cancelling a running sequence frees its slot for the next waiting one at once", () => {
    const { engine, submit, run, setNow } = fakeEngine({ maxNumSeqs: 1 });
    const first = submit(0, 50);
    const second = submit(0, 5);
    run(25);
    setNow(25);
    engine.cancel(first);
    expect(second.state).toBe("running");
    expect(second.admittedMs).toBe(25);
    run(200);
    expect(second.state).toBe("done");
    expect(first.generated).toBe(1); // token 0 at 20, cancelled before token 1 at 30
  });

  test("cancelling a waiting sequence removes it from the queue", () => {
    const { engine, submit } = fakeEngine({ maxNumSeqs: 1 });
    submit(0, 5);
    const waiting = submit(0, 5);
    engine.cancel(waiting);
    expect(engine.stats()).toMatchObject({ running: 1, waiting: 0, cancelled: 1 });
  });

  test("counts running and waiting per model and tracks KV usage", () => {
    const { engine, submit } = fakeEngine({ maxNumSeqs: 2 });
    submit(100, 5, true, "base");
    submit(200, 5, true, "lora-a");
    submit(50, 5, true, "lora-a");
    expect(engine.modelLoad("base")).toEqual({ running: 1, waiting: 0 });
    expect(engine.modelLoad("lora-a")).toEqual({ running: 1, waiting: 1 });
    expect(engine.kvUsage).toBeCloseTo(300 / 1000);
  });
});

describe("drawOutputLength()", () => {
  test("gives exactly max_tokens with ignore_eos", () => {
    expect(drawOutputLength({ maxTokens: 77, ignoreEos: true }, 5, createRng(1))).toEqual({
      tokens: 77,
      finishReason: "length",
    });
  });

  test("draws seeded lengths near the mean, capped by max_tokens with finish_reason length", () => {
    const rng = createRng(3);
    const draws = Array.from({ length: 4000 }, () =>
      drawOutputLength({ maxTokens: 1000, ignoreEos: false }, 50, rng),
    );
    const mean = draws.reduce((s, d) => s + d.tokens, 0) / draws.length;
    expect(mean).toBeGreaterThan(45);
    expect(mean).toBeLessThan(55);
    expect(draws.every((d) => d.tokens >= 1 && (d.finishReason === "stop") === d.tokens < 1000)).toBe(true);
    const capped = drawOutputLength({ maxTokens: 1, ignoreEos: false }, 50, createRng(3));
    expect(capped).toEqual({ tokens: 1, finishReason: "length" });
  });
});
