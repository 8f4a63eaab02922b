// Hot-path pieces of the load engine, per request: writing a record into a columnar batch and
// reading it back, the semaphore's fast path, the sequence hash, and parsing a streamed HTTP
// response. Run: bun scripts/bench/engine.bench.ts (BENCH_JSON=1 prints mitata's JSON).
import { bench, group, run } from "mitata";
import { ResponseParser } from "../../lib/http/response-parser.ts";
import { record as makeRecord } from "../../lib/record/record.testing.ts";
import type { RequestRecord } from "../../lib/record/record.ts";
import { BatchWriter, readBatch } from "../../lib/worker/batch.ts";
import { FNV_OFFSET, fnvString } from "../../lib/worker/fnv.ts";
import { Semaphore } from "../../lib/worker/semaphore.ts";

const record: RequestRecord = makeRecord({
  index: 1,
  scheduledMs: 1.7e12,
  sentMs: 1.7e12 + 0.01,
  headersMs: 1.7e12 + 1,
  endMs: 1.7e12 + 20,
  tokenEventMs: Array.from({ length: 20 }, (_, k) => 1.7e12 + 1 + k),
  clientOutputTokens: 20,
  serverOutputTokens: 20,
  requestBytes: 600,
});

group("batch (1,000 records, 20 token events each)", () => {
  bench("write + take", () => {
    const w = new BatchWriter(1000);
    for (let i = 0; i < 1000; i++) w.add(record);
    return w.take();
  });
  const w = new BatchWriter(1000);
  for (let i = 0; i < 1000; i++) w.add(record);
  const batch = w.take()!;
  bench("readBatch", () => readBatch(batch));
});

group("per request", () => {
  const s = new Semaphore(100);
  bench("semaphore tryAcquire + release", () => {
    s.tryAcquire();
    s.release();
  });
  const body = JSON.stringify({ model: "m", prompt: "word ".repeat(400), max_tokens: 128, stream: true });
  bench("sequence hash of a 2 KB body", () => fnvString(FNV_OFFSET, body));
  let sse = "";
  for (let i = 0; i < 20; i++) sse += `data: {"choices":[{"index":0,"text":" w${i}"}]}\n\n`;
  const chunked = new TextEncoder().encode(
    `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n${sse.length.toString(16)}\r\n${sse}\r\n0\r\n\r\n`,
  );
  bench("HTTP parse of a 20-event chunked response (one read)", () => {
    let n = 0;
    const p = new ResponseParser({ headers: () => {}, body: (c) => (n += c.length), end: () => {} });
    p.feed(chunked);
    return n;
  });
  // As the transport runs it: framing dropped in place in the read's own buffer (the copy stands in
  // for the fresh buffer each socket read brings).
  bench("HTTP parse, in place, including a copy of the read", () => {
    let n = 0;
    const p = new ResponseParser(
      { headers: () => {}, body: (c) => (n += c.length), end: () => {} },
      { inPlace: true },
    );
    p.feed(chunked.slice());
    return n;
  });
});

await run({ format: process.env.BENCH_JSON ? "json" : "mitata" });
