import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { nowMs } from "../runtime/clock.ts";
import { workerUrl } from "../runtime/worker-url.ts";
import { createWakeCell, WakeRequester, wakeSupported } from "./wake-cell.ts";

// A real waker thread (wake-entry.ts) on a fresh cell; the test thread is the sender.
let waker: Worker;
let requester: WakeRequester;

beforeAll(async () => {
  const cell = createWakeCell();
  waker = new Worker(workerUrl("wake"), { type: "module" });
  await new Promise<void>((resolve) => {
    waker.onmessage = () => resolve();
    waker.postMessage(cell);
  });
  requester = new WakeRequester(cell);
});

afterAll(() => waker.terminate());

describe("WakeRequester with a waker thread", () => {
  test("is supported by this runtime", () => {
    expect(wakeSupported).toBe(true);
  });

  test("wakeAt() resolves no earlier than the time asked for", async () => {
    for (const ahead of [0.05, 0.5, 2, 12]) {
      const at = nowMs() + ahead;
      await requester.wakeAt(at);
      expect(nowMs()).toBeGreaterThanOrEqual(at);
    }
  });

  test("wakeAt() for a time already past resolves", async () => {
    await requester.wakeAt(nowMs() - 1000);
  });

  test("a newer request for an earlier time is served at once, and releases the older one", async () => {
    const far = requester.wakeAt(nowMs() + 60_000);
    const before = nowMs();
    const at = before + 2;
    await requester.wakeAt(at);
    expect(nowMs()).toBeGreaterThanOrEqual(at);
    // The older request's waiter is not left hanging (its caller re-checks the clock itself).
    await far;
    // Generous: only shows the waker did not sleep out the first request's minute.
    expect(nowMs() - before).toBeLessThan(10_000);
  });

  test("serves many requests in a row, each in order", async () => {
    const start = nowMs();
    for (let i = 1; i <= 200; i++) {
      const at = start + i * 0.1;
      await requester.wakeAt(at);
      expect(nowMs()).toBeGreaterThanOrEqual(at);
    }
  });

  test("a wake asked for ahead fires at its own time, after the one before it", async () => {
    const start = nowMs();
    const first = requester.request(start + 2);
    const second = requester.request(start + 4);
    await requester.reached(first);
    const firstAt = nowMs();
    expect(firstAt).toBeGreaterThanOrEqual(start + 2);
    await requester.reached(second);
    expect(nowMs()).toBeGreaterThanOrEqual(start + 4);
  });

  test("never has more than a ring of wakes unfired: asking beyond it returns -1 until they fire", async () => {
    const soon = nowMs() + 50;
    const asked: number[] = [];
    for (let i = 0; i < 20; i++) asked.push(requester.request(soon + i * 0.01));
    expect(asked).toContain(-1);
    expect(asked.slice(0, 7).every((n) => n >= 0)).toBe(true);
    await requester.reached(Math.max(...asked));
    expect(nowMs()).toBeGreaterThanOrEqual(soon);
    expect(requester.request(nowMs() - 1)).toBeGreaterThanOrEqual(0);
  });
});
