import { expect, test } from "bun:test";
import { Fifo } from "./_fifo.ts";

test("Fifo gives items back in order across pushes, shifts and runs empty", () => {
  const q = new Fifo<number>();
  expect(q.shift()).toBeUndefined();
  q.push(1);
  q.push(2);
  expect(q.shift()).toBe(1);
  q.push(3);
  expect(q.size).toBe(2);
  expect(q.shift()).toBe(2);
  expect(q.shift()).toBe(3);
  expect(q.size).toBe(0);
  q.push(4);
  q.push(5);
  q.shift();
  expect(q.drain()).toEqual([5]);
  expect(q.size).toBe(0);
});
