import { expect, test } from "bun:test";
import type { FromBuilder, ToBuilder } from "./protocol.ts";
import { ReadyBatchWriter } from "./ready-batch.ts";
import { type BuilderPort, createSupply, PRIME_MAX_MS } from "./supply.ts";

/** A port whose sent messages are kept, and through which test batches are "delivered". */
function fakePort() {
  const sent: ToBuilder[] = [];
  const port: BuilderPort = { postMessage: (m) => sent.push(m), onmessage: null };
  const deliver = (stageId: number, first: number, count: number) => {
    const writer = new ReadyBatchWriter();
    for (let k = first; k < first + count; k++) writer.add(`{"k":${k}}`, 1, k, null, null);
    const batch = writer.take(stageId, first, count * 0.1)!;
    port.onmessage?.({ data: { type: "built", batch } satisfies FromBuilder } as MessageEvent<FromBuilder>);
  };
  return { port, sent, deliver };
}

test("starts the builder on a stage and is primed once its first window has arrived", () => {
  const { port, sent, deliver } = fakePort();
  const supply = createSupply(port);
  let primed = 0;
  const indices = Uint32Array.from({ length: 1000 }, (_, k) => 2 * k);
  supply.prepare(5, indices, 10, () => primed++);
  expect(sent[0]).toEqual({ type: "stage", stageId: 5, indices, window: 256 });
  expect((sent[0] as { indices: Uint32Array }).indices).not.toBe(indices); // its own copy
  deliver(5, 0, 200);
  expect(primed).toBe(0);
  deliver(5, 200, 56);
  expect(primed).toBe(1);
  deliver(5, 256, 10);
  expect(primed).toBe(1);
  expect([supply.built, supply.buildMs]).toEqual([266, expect.closeTo(26.6, 6)]);
});

test("a stage with fewer requests than a window is primed when they are all built", () => {
  const { port, deliver } = fakePort();
  const supply = createSupply(port);
  let primed = 0;
  supply.prepare(0, new Uint32Array(3), 10, () => primed++);
  deliver(0, 0, 3);
  expect(primed).toBe(1);
  supply.prepare(1, new Uint32Array(0), 10, () => primed++);
  expect(primed).toBe(2);
});

test("hands out requests in order and returns credit in lumps of a quarter window", () => {
  const { port, sent, deliver } = fakePort();
  const supply = createSupply(port);
  supply.prepare(1, new Uint32Array(1000), 10, () => {});
  deliver(1, 0, 256);
  const bodies: string[] = [];
  for (let k = 0; k < 130; k++) bodies.push(new TextDecoder().decode(supply.take(k)!.body));
  expect(bodies[129]).toBe('{"k":129}');
  expect(sent.filter((m) => m.type === "credit")).toEqual([
    { type: "credit", stageId: 1, n: 64 },
    { type: "credit", stageId: 1, n: 64 },
  ]);
});

test("an arrival wakes a waiting loop, and so does a stop, which also stops the builder", async () => {
  const { port, sent, deliver } = fakePort();
  const supply = createSupply(port);
  let primed = 0;
  supply.prepare(2, new Uint32Array(10), 10, () => primed++);
  expect(supply.take(0)).toBeNull();
  const waiting = supply.arrival();
  deliver(2, 0, 1);
  await waiting;
  expect(supply.take(0)).not.toBeNull();
  const stopped = supply.arrival();
  supply.stop();
  await stopped;
  expect(sent.at(-1)).toEqual({ type: "stop" });
  expect(primed).toBe(1); // a stop ends priming too, so the stage can start (and end at once)
});

test(`is primed after ${PRIME_MAX_MS} ms even when the builder is slower than that`, async () => {
  const { port } = fakePort();
  const supply = createSupply(port);
  const t0 = performance.now();
  await new Promise<void>((resolve) => supply.prepare(3, new Uint32Array(10), 10, resolve));
  expect(performance.now() - t0).toBeGreaterThanOrEqual(PRIME_MAX_MS - 5);
});
