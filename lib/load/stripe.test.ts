import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { constantOffsets } from "./constant.ts";
import { splitEvenly, stripeBySlot, stripeClosedLoop, stripeOffsets } from "./stripe.ts";

function union(slices: { indices: Uint32Array }[]): number[] {
  return slices.flatMap((s) => Array.from(s.indices)).sort((a, b) => a - b);
}

describe("stripeOffsets()", () => {
  test.each([
    // offsets, workers → indices per worker
    [
      5,
      2,
      [
        [0, 2, 4],
        [1, 3],
      ],
    ], // odd count: worker 0 gets the extra one
    [2, 4, [[0], [1], [], []]], // fewer requests than workers: idle workers get empty slices
    [
      6,
      3,
      [
        [0, 3],
        [1, 4],
        [2, 5],
      ],
    ], // even split
  ])("%p offsets over %p workers go to workers %j", (count, workers, expected) => {
    const offsets = constantOffsets({ rate: 1, durationS: count });
    const slices = stripeOffsets(offsets, workers);
    expect(slices.map((s) => Array.from(s.indices))).toEqual(expected);
    for (const s of slices) {
      s.indices.forEach((i, k) => {
        expect(s.offsets![k]).toBe(offsets[i]!);
      });
    }
  });

  test("the slices' union equals the schedule for any count and worker number", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 17 }), (count, workers) => {
        const offsets = Float64Array.from({ length: count }, (_, i) => i * 1.5);
        const slices = stripeOffsets(offsets, workers);
        expect(union(slices)).toEqual(Array.from({ length: count }, (_, i) => i));
      }),
    );
  });
});

describe("splitEvenly()", () => {
  test.each([
    // total, workers → per worker (inference-perf: L // n + (1 if i < L % n))
    [45, 32, [...Array(13).fill(2), ...Array(19).fill(1)]],
    [3, 5, [1, 1, 1, 0, 0]],
    [10, 1, [10]],
    [8, 2, [4, 4]],
  ])("splits %p over %p workers exactly", (total, workers, expected) => {
    expect(splitEvenly(total, workers)).toEqual(expected);
  });
});

describe("stripeClosedLoop()", () => {
  test("gives each worker requests in proportion to its slots, and the union is every request", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 9 }),
        (numRequests, concurrency, workers) => {
          const slices = stripeClosedLoop(numRequests, concurrency, workers);
          expect(union(slices)).toEqual(Array.from({ length: numRequests }, (_, i) => i));
          const slots = splitEvenly(concurrency, workers);
          slices.forEach((s, w) => {
            expect(s.offsets).toBeNull();
            // Each slot serves ceil or floor of numRequests / concurrency requests.
            expect(s.indices.length).toBeLessThanOrEqual(slots[w]! * Math.ceil(numRequests / concurrency));
            expect(s.indices.length).toBeGreaterThanOrEqual(
              slots[w]! * Math.floor(numRequests / concurrency),
            );
          });
        },
      ),
    );
  });
});

describe("stripeBySlot()", () => {
  test("every request of a slot goes to one worker, in order, and the union is the whole schedule", () => {
    const offsets = Float64Array.from({ length: 10 }, (_, i) => i * 100);
    // 3 slots on 2 workers: slots 0 and 2 → worker 0, slot 1 → worker 1.
    const [w0, w1] = stripeBySlot(10, offsets, 3, 2);
    expect([...w0!.indices]).toEqual([0, 2, 3, 5, 6, 8, 9]);
    expect([...w1!.indices]).toEqual([1, 4, 7]);
    expect([...w1!.offsets!]).toEqual([100, 400, 700]);
    const union = [...w0!.indices, ...w1!.indices].sort((a, b) => a - b);
    expect(union).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  test("a closed loop has no offsets; more workers than slots leaves some idle", () => {
    const slices = stripeBySlot(4, null, 1, 3);
    expect(slices.map((s) => [...s.indices])).toEqual([[0, 1, 2, 3], [], []]);
    expect(slices.every((s) => s.offsets === null)).toBe(true);
  });
});
