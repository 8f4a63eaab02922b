import { describe, expect, test } from "bun:test";
import { ReadyBatchWriter, ReadyQueue, readyTransferables } from "./ready-batch.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A batch of `bodies` for stage 1 starting at position `first`, as a builder would post it. */
function batchOf(first: number, bodies: string[], writer = new ReadyBatchWriter(16, 1)) {
  for (const [i, body] of bodies.entries()) {
    writer.add(body, 10 + first + i, 100 + first + i, i % 2 ? "lora-a" : null, null);
  }
  return writer.take(1, first, 0.5)!;
}

describe("ReadyBatchWriter", () => {
  test("packs bodies as UTF-8 back to back, growing past its initial sizes", () => {
    const writer = new ReadyBatchWriter(4, 1);
    writer.add('{"p":"héllo 日本"}', 3, 0xdeadbeef, null, null);
    writer.add("", 0, 0, "lora-a", "RangeError: no row fits");
    writer.add("x".repeat(100), 7, 1, "lora-a", null);
    expect(writer.count).toBe(3);
    const batch = writer.take(4, 10, 2.5)!;
    expect(batch).toMatchObject({ stageId: 4, first: 10, count: 3, buildMs: 2.5 });
    // Each distinct string once.
    expect(batch.strings).toEqual(["lora-a", "RangeError: no row fits"]);
    expect(readyTransferables(batch)).toEqual([batch.bytes, batch.ints.buffer as ArrayBuffer]);
    const queue = new ReadyQueue();
    queue.reset(4);
    queue.push({ ...batch, first: 0 });
    expect([0, 1, 2].map((k) => decode(queue.take(k)!.body))).toEqual([
      '{"p":"héllo 日本"}',
      "",
      "x".repeat(100),
    ]);
    expect(writer.count).toBe(0);
    expect(writer.take(4, 13, 0)).toBeNull();
  });
});

describe("ReadyBatchWriter bodies written in place", () => {
  test("read back like add()'s, across buffer growth; a body begun and not finished leaves nothing", () => {
    const writer = new ReadyBatchWriter(4, 1);
    writer.add('{"a":1}', 1, 11, null, null);
    const bodies = ['{"p":"in place"}', `{"q":"${"x".repeat(300)}"}`];
    for (const [i, body] of bodies.entries()) {
      const sink = writer.begin();
      // Written in two pieces, each after asking for room, as a builder does.
      for (const piece of [body.slice(0, 5), body.slice(5)]) {
        sink.room(piece.length);
        for (let c = 0; c < piece.length; c++) sink.bytes[sink.at++] = piece.charCodeAt(c);
      }
      writer.finish(20 + i, 30 + i, i === 1 ? "lora-a" : null);
    }
    const dropped = writer.begin();
    dropped.room(1000);
    dropped.bytes[dropped.at++] = 0x7b;
    writer.add('{"z":2}', 4, 44, null, null);
    const queue = new ReadyQueue();
    queue.reset(1);
    queue.push(writer.take(1, 0, 0)!);
    const got = [0, 1, 2, 3].map((k) => queue.take(k)!);
    expect(got.map((r) => decode(r.body))).toEqual(['{"a":1}', ...bodies, '{"z":2}']);
    expect(got.map((r) => [r.promptTokens, r.hash, r.adapter, r.error, r.media])).toEqual([
      [1, 11, null, null, null],
      [20, 30, null, null, null],
      [21, 31, "lora-a", null, null],
      [4, 44, null, null, null],
    ]);
    expect(queue.take(4)).toBeNull();
  });
});

describe("ReadyQueue", () => {
  test("gives each request once, in order, across batches, with its body, count, hash and adapter", () => {
    const queue = new ReadyQueue();
    queue.reset(1);
    expect(queue.take(0)).toBeNull();
    expect(queue.push(batchOf(0, ['{"a":1}', '{"b":"é"}']))).toBe(true);
    expect(queue.push(batchOf(2, ['{"c":3}']))).toBe(true);
    const got = [0, 1, 2].map((k) => queue.take(k)!);
    expect(got.map((r) => decode(r.body))).toEqual(['{"a":1}', '{"b":"é"}', '{"c":3}']);
    expect(got.map((r) => [r.promptTokens, r.hash, r.adapter, r.error])).toEqual([
      [10, 100, null, null],
      [11, 101, "lora-a", null],
      [12, 102, null, null],
    ]);
    expect(queue.take(3)).toBeNull();
    expect(queue.built).toBe(3);
    expect(queue.buildMs).toBe(1);
  });

  test("carries a request that could not be built as its error", () => {
    const queue = new ReadyQueue();
    queue.reset(1);
    const writer = new ReadyBatchWriter();
    writer.add("", 0, 0, null, "Error: bad row");
    queue.push(writer.take(1, 0, 0)!);
    expect(queue.take(0)).toMatchObject({ error: "Error: bad row", adapter: null });
  });

  test("carries each request's media to the sender for its record, and none for a text-only one", () => {
    const image = { kind: "image" as const, pixels: 64, bytes: 120, aspectRatio: 1, frames: 0, seconds: 0 };
    const queue = new ReadyQueue();
    queue.reset(1);
    const writer = new ReadyBatchWriter();
    writer.add("{}", 1, 0, null, null, [image]);
    writer.add("{}", 1, 0, null, null);
    queue.push(writer.take(1, 0, 0)!);
    expect(queue.take(0)!.media).toEqual([image]);
    expect(queue.take(1)!.media).toBeNull();
  });

  test("drops batches of another stage and starts each stage afresh", () => {
    const queue = new ReadyQueue();
    queue.reset(1);
    queue.push(batchOf(0, ["{}", "{}"]));
    queue.reset(2);
    expect(queue.push(batchOf(0, ["late"]))).toBe(false); // stage 1's, arriving after stage 2 began
    expect(queue.take(0)).toBeNull();
    expect(queue.built).toBe(0);
  });

  test("refuses requests out of order, in a batch or in a take", () => {
    const queue = new ReadyQueue();
    queue.reset(1);
    expect(() => queue.push(batchOf(1, ["{}"]))).toThrow("out of order");
    queue.push(batchOf(0, ["{}", "{}"]));
    expect(() => queue.take(1)).toThrow("in order");
  });
});

describe("buffer reuse", () => {
  /** A writer whose batches fill their buffer (handed over whole, to be recycled). */
  function fullBatch(writer: ReadyBatchWriter, first: number, count: number) {
    for (let k = 0; k < count; k++) writer.add("x".repeat(150), 1, k, null, null);
    return writer.take(1, first, 0)!;
  }

  test("a batch's working buffer goes back once every request taken from it is released", () => {
    const back: ArrayBuffer[] = [];
    const queue = new ReadyQueue((bytes) => back.push(bytes));
    queue.reset(1);
    const writer = new ReadyBatchWriter(1024, 4);
    const batch = fullBatch(writer, 0, 4);
    expect(batch.recycle).toBe(true);
    queue.push(batch);
    const taken = [0, 1, 2, 3].map((k) => queue.take(k)!);
    for (const r of taken.slice(0, 3)) queue.release(r);
    expect(back).toEqual([]);
    queue.release(taken[3]!);
    expect(back).toEqual([batch.bytes]);
    // The writer fills it again for a later batch instead of a fresh one.
    writer.recycle(back[0]!);
    expect(fullBatch(writer, 4, 4).bytes).not.toBe(batch.bytes); // the one it was already filling
    expect(fullBatch(writer, 8, 4).bytes).toBe(batch.bytes);
  });

  test("a mostly empty batch is a trimmed copy, never sent back", () => {
    const back: ArrayBuffer[] = [];
    const queue = new ReadyQueue((bytes) => back.push(bytes));
    queue.reset(1);
    const writer = new ReadyBatchWriter(64 * 1024, 4);
    writer.add("{}", 1, 1, null, null);
    const batch = writer.take(1, 0, 0)!;
    expect([batch.recycle, batch.bytes.byteLength]).toEqual([false, 2]);
    queue.push(batch);
    queue.release(queue.take(0)!);
    expect(back).toEqual([]);
  });

  test("a new stage gives back what was never taken, and a half-taken batch once its taken ones are released", () => {
    const back: ArrayBuffer[] = [];
    const queue = new ReadyQueue((bytes) => back.push(bytes));
    queue.reset(1);
    const writer = new ReadyBatchWriter(1024, 4);
    const a = fullBatch(writer, 0, 4);
    const b = fullBatch(writer, 4, 4);
    queue.push(a);
    queue.push(b);
    const taken = queue.take(0)!;
    queue.reset(2);
    expect(back).toEqual([b.bytes]);
    queue.release(taken);
    expect(back).toEqual([b.bytes, a.bytes]);
    // A late batch of the old stage goes straight back too.
    const late = fullBatch(writer, 8, 4);
    expect(queue.push(late)).toBe(false);
    expect(back.at(-1)).toBe(late.bytes);
  });
});
