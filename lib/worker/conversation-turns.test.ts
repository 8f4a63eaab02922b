import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { ConversationSource } from "../data/conversation.ts";
import { defaultTokenizer } from "../data/tokenizer/default.ts";
import type { HttpRequest, SendOutcome, Transport } from "../http/transport.ts";
import { nowMs } from "../runtime/clock.ts";
import { BatchWriter, readBatch } from "./batch.ts";
import { createConversationStage } from "./conversation-turns.ts";
import { runLoop } from "./loop.ts";
import { Semaphore } from "./semaphore.ts";

const tokenizer = defaultTokenizer();

/** A server that answers after the given delays (ms, one per request in arrival order), with a unique reply. */
function fakeTransport(delays: readonly number[]) {
  const bodies: string[] = [];
  let n = 0;
  const transport: Transport = {
    async send(request: HttpRequest, handler): Promise<SendOutcome> {
      const k = n++;
      bodies.push(typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body));
      handler.onSent(nowMs());
      await new Promise((r) => setTimeout(r, delays[k % delays.length] ?? 0));
      const at = nowMs();
      handler.onHeaders(200, at, null);
      const body = {
        choices: [{ message: { role: "assistant", content: `reply-${k}` } }],
        usage: { prompt_tokens: 5, completion_tokens: 1 },
      };
      handler.onData(new TextEncoder().encode(JSON.stringify(body)), at);
      return {
        ok: true,
        endMs: nowMs(),
        connection: "reused",
        connectMs: Number.NaN,
        resent: false,
        serverCloses: 0,
      };
    },
    stats: () => ({ opened: 0, open: 0, retried: 0 }) as never,
    close() {},
  };
  return { transport, bodies };
}

function source(slots: number, cycle: "repeat" | "restart", turns: number, afterMs = 0): ConversationSource {
  return {
    type: cycle === "repeat" ? "shared_prefix" : "conversation_replay",
    slots,
    cycle,
    maxModelLen: null,
    blueprint: (slot) => ({
      system: `system-${slot}`,
      systemTokens: 2,
      turns: Array.from({ length: turns }, (_, t) => ({
        user: `u${slot}-${t}`,
        userTokens: 2,
        maxTokens: 3,
        afterMs,
      })),
    }),
  };
}

async function run(opts: {
  slots: number;
  cycle: "repeat" | "restart";
  turns: number;
  count: number;
  concurrency: number;
  offsets: number[];
  delays: number[];
  /** Called with each slot whose texts the stage generates (source.blueprint). */
  onBlueprint?: (slot: number) => void;
}) {
  const { transport, bodies } = fakeTransport(opts.delays);
  const writer = new BatchWriter(4096);
  const indices = Uint32Array.from({ length: opts.count }, (_, i) => i);
  const stage = createConversationStage(
    {
      config: {
        api: { type: "chat", streaming: false },
        server: { ignore_eos: true },
        load: { request_timeout: null },
      },
      workerId: 0,
      tokenizer,
      transport,
      writer,
      onRecord: () => {},
      onSent: () => {},
      model: "m",
      source: ((base) => ({
        ...base,
        blueprint: (slot: number, stageId: number) => {
          opts.onBlueprint?.(slot);
          return base.blueprint(slot, stageId);
        },
      }))(source(opts.slots, opts.cycle, opts.turns)),
      headerKeys: { sessionIdKey: null, sessionTokenKey: null },
      stopped: () => false,
      pause: (ms) => new Promise((r) => setTimeout(r, ms)),
    },
    0,
    indices,
  );
  opts.onBlueprint?.(-1); // the stage is created: from here on, only sends
  const t0 = nowMs();
  await runLoop({
    schedule: { count: opts.count, dueMs: (k) => t0 + (opts.offsets[k % opts.offsets.length] ?? 0) },
    slots: new Semaphore(opts.concurrency),
    stopped: () => false,
    take: (k) => k,
    arrival: () => Promise.resolve(),
    send: (k, due) => stage.send(k, due),
  });
  const batch = writer.take();
  return { records: batch === null ? [] : readBatch(batch), bodies, lifecycles: stage.lifecycles() };
}

describe("createConversationStage()", () => {
  test("turns of one session never overlap, whatever the schedule and the server's timing (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          slots: fc.integer({ min: 1, max: 4 }),
          cycle: fc.constantFrom("repeat" as const, "restart" as const),
          turns: fc.integer({ min: 1, max: 3 }),
          count: fc.integer({ min: 1, max: 14 }),
          concurrency: fc.integer({ min: 1, max: 6 }),
          offsets: fc
            .array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 })
            .map((a) => a.sort((x, y) => x - y)),
          delays: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
        }),
        async (opts) => {
          const { records } = await run(opts);
          expect(records).toHaveLength(opts.count);
          const bySession = new Map<number, typeof records>();
          for (const r of records) bySession.set(r.session, [...(bySession.get(r.session) ?? []), r]);
          for (const turns of bySession.values()) {
            turns.sort((a, b) => a.index - b.index);
            for (let i = 1; i < turns.length; i++)
              expect(turns[i]!.sentMs).toBeGreaterThanOrEqual(turns[i - 1]!.endMs);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 30_000);

  test("each turn carries the history: the previous turns' user text and replies", async () => {
    const { bodies } = await run({
      slots: 1,
      cycle: "repeat",
      turns: 1,
      count: 3,
      concurrency: 3,
      offsets: [0],
      delays: [1],
    });
    expect(JSON.parse(bodies[2]!).messages).toEqual([
      { role: "system", content: "system-0" },
      { role: "user", content: "u0-0" },
      { role: "assistant", content: "reply-0" },
      { role: "user", content: "u0-0" },
      { role: "assistant", content: "reply-1" },
      { role: "user", content: "u0-0" },
    ]);
  });

  test("a restarting slot begins a fresh session after its last turn; the unfinished one is cut short", async () => {
    const { records, lifecycles } = await run({
      slots: 1,
      cycle: "restart",
      turns: 2,
      count: 3,
      concurrency: 1,
      offsets: [0],
      delays: [0],
    });
    expect(records.map((r) => r.session)).toEqual([0, 0, 1]);
    expect(lifecycles.map((l) => [l.name, l.status, l.completed, l.cancelled])).toEqual([
      ["conv_0", "succeeded", 2, 0],
      ["slot_0_convo_1", "cut_short", 1, 1],
    ]);
  });

  test("every conversation's texts are generated when the stage is created, none while it sends", async () => {
    const log: number[] = [];
    await run({
      slots: 3,
      cycle: "restart",
      turns: 2,
      count: 9,
      concurrency: 2,
      offsets: [0, 1],
      delays: [0, 2],
      onBlueprint: (slot) => log.push(slot),
    });
    expect(log).toEqual([0, 1, 2, -1]);
  });
});
