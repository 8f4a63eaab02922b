import { describe, expect, test } from "bun:test";
import { Semaphore } from "./semaphore.ts";

describe("Semaphore", () => {
  test("tryAcquire() takes permits synchronously until none are left", () => {
    const s = new Semaphore(2);
    expect([s.tryAcquire(), s.tryAcquire(), s.tryAcquire()]).toEqual([true, true, false]);
    expect(s.inUse).toBe(2);
    s.release();
    expect(s.inUse).toBe(1);
  });

  test("serves waiters in FIFO order and hands the permit over on release", async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) => s.acquire().then(() => order.push(n)));
    expect(s.waiting).toBe(3);
    s.release();
    // Handed over: the permit never became free, so a newcomer cannot take it.
    expect(s.tryAcquire()).toBe(false);
    s.release();
    s.release();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
    expect(s.inUse).toBe(1);
  });

  test("never lets more than max tasks run at once (invariant checked inside every task)", async () => {
    const max = 4;
    const s = new Semaphore(max);
    let running = 0;
    let peak = 0;
    const task = async (i: number) => {
      await s.acquire();
      running++;
      expect(running).toBeLessThanOrEqual(max);
      expect(s.inUse).toBeLessThanOrEqual(max);
      peak = Math.max(peak, running);
      for (let k = 0; k < i % 3; k++) await Promise.resolve();
      if (i % 5 === 0) await new Promise((r) => setImmediate(r));
      running--;
      s.release();
    };
    await Promise.all(Array.from({ length: 200 }, (_, i) => task(i)));
    expect(peak).toBe(max);
    expect(s.inUse).toBe(0);
    expect(s.waiting).toBe(0);
  });

  test("throws when released more often than acquired", () => {
    const s = new Semaphore(1);
    expect(() => s.release()).toThrow(RangeError);
  });
});
