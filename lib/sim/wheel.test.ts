import { describe, expect, test } from "bun:test";
import { TimingWheel } from "./wheel.ts";

function drain(wheel: TimingWheel<string>, now: number): [string, number][] {
  const fired: [string, number][] = [];
  wheel.advance(now, (item, due) => fired.push([item, due]));
  return fired;
}

describe("TimingWheel", () => {
  test("fires entries only once their due time has passed, in due order across ticks", () => {
    const wheel = new TimingWheel<string>();
    wheel.add(1005.5, "b");
    wheel.add(1002, "a");
    wheel.add(1010, "c");
    expect(drain(wheel, 1001)).toEqual([]);
    expect(drain(wheel, 1005.2)).toEqual([["a", 1002]]); // b is due later within the current tick
    expect(drain(wheel, 1005.5)).toEqual([["b", 1005.5]]);
    expect(wheel.size).toBe(1);
    expect(drain(wheel, 2000)).toEqual([["c", 1010]]);
    expect(wheel.size).toBe(0);
  });

  test("keeps entries more than one rotation ahead until they are due", () => {
    const wheel = new TimingWheel<string>({ slots: 8 });
    wheel.add(0, "now");
    wheel.add(20, "later"); // 2.5 rotations of 8 ticks
    expect(drain(wheel, 0)).toEqual([["now", 0]]);
    for (let t = 1; t < 20; t++) expect(drain(wheel, t)).toEqual([]);
    expect(drain(wheel, 20)).toEqual([["later", 20]]);
  });

  test("fires an entry added for an already processed tick on the next advance", () => {
    const wheel = new TimingWheel<string>();
    wheel.add(100, "x");
    drain(wheel, 150);
    wheel.add(120, "late");
    expect(drain(wheel, 150)).toEqual([["late", 120]]);
  });

  test("runs entries that firing adds with a due time already past (zero delay) in the same advance", () => {
    const wheel = new TimingWheel<number>();
    const fired: number[] = [];
    wheel.add(10, 0);
    wheel.advance(10, function fire(n) {
      fired.push(n);
      if (n < 4) wheel.add(10, n + 1);
    });
    expect(fired).toEqual([0, 1, 2, 3, 4]);
    expect(wheel.size).toBe(0);
  });

  test("after a pause longer than a rotation, fires everything due exactly once", () => {
    const wheel = new TimingWheel<number>({ slots: 16 });
    for (let i = 0; i < 100; i++) wheel.add(i * 3, i);
    const fired: number[] = [];
    wheel.advance(1000, (n) => fired.push(n));
    expect(fired.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
