// A Weka trace → the LLM calls it recorded, with prompts rebuilt block for block (upstream's
// ConversationReconstructor). Weka traces keep no text, only each request's token blocks as hash ids;
// every hash id becomes the same `block_size` tokens of the corpus wherever it recurs (seeded by
// base_seed, trace id and hash id), so a replay shows the server exactly the trace's prefix sharing.
// Pure given the tokenizer and the tokenized corpus.
//
// Turn k of a conversation: keep the previous prompt up to the longest common prefix of the two
// turns' hash ids (dropping the previous turn's partial last block when the cut falls on it), then
// the new blocks: first as many as the previous output needs, as an assistant message, then the rest
// as a user message; tokens beyond the last whole block come from a seeded tail. A call's expected
// output is the assistant text the next turn carries (the last turn: a seeded sample), so the graph
// links each turn to the next by content, as for OTel traces. Subagents' requests run as their own
// conversations, packed into streams of calls that do not overlap in time.
//
// Timing: gaps between request starts longer than trace_idle_gap_cap_seconds shrink to the cap
// (upstream's idle-gap time warp); a call ends api_time after it starts.
import { createRng } from "../../load/rng.ts";
import type { Tokenizer } from "../types.ts";
import type { RawCall, ReplayMessage } from "./types.ts";
import type { WekaRequest, WekaSubagent, WekaTrace } from "./weka-trace.ts";

export interface WekaCallsOptions {
  tokenizer: Tokenizer;
  /** The corpus as token ids (upstream: the poem prompt followed by the Shakespeare text). */
  corpus: readonly number[];
  baseSeed: number;
  /** trace_idle_gap_cap_seconds; <= 0 keeps the recorded gaps. */
  idleGapCapS: number;
  /** The block size when the trace names none (default_block_size). */
  defaultBlockSize: number;
}

interface Segment {
  role: "system" | "user" | "assistant";
  blocks: number;
  tokens: number[];
}

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function wekaCalls(trace: WekaTrace, opts: WekaCallsOptions): RawCall[] {
  const { corpus, tokenizer } = opts;
  const bs = trace.blockSize > 0 ? trace.blockSize : opts.defaultBlockSize;
  const size = corpus.length;
  if (size === 0) throw new RangeError("The Weka corpus has no tokens");
  const cache = new Map<number, number[]>();
  const window = (start: number, n: number): number[] => {
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(corpus[(start + k) % size]!);
    return out;
  };
  const blockTokens = (ids: readonly number[]): number[] => {
    const out: number[] = [];
    for (const h of ids) {
      let block = cache.get(h);
      if (block === undefined) {
        const rng = createRng(hash32(`${opts.baseSeed}:${trace.id}:${h}`));
        block = window(rng.int(size), bs);
        cache.set(h, block);
      }
      out.push(...block);
    }
    return out;
  };
  const tail = (n: number, seed: string): number[] =>
    n <= 0 ? [] : window(hash32(seed) % Math.max(size - n, 1), n);
  const text = (tokens: number[]) => tokenizer.decode(tokens);

  // Idle-gap warp over every request start of the trace.
  const childT = (entry: WekaSubagent, r: WekaRequest) => (r.t + 1e-6 < entry.t ? entry.t + r.t : r.t);
  const starts = [
    ...trace.normals.map((n) => n.request.t),
    ...trace.subagents.flatMap((s) => s.entry.requests.map((r) => childT(s.entry, r))),
  ];
  const warp = idleGapWarp(starts, opts.idleGapCapS);

  const conversation = (
    requests: readonly { request: WekaRequest; t: number }[],
    prefixTokens: number,
    name: (k: number) => string,
    seedOf: string,
  ): RawCall[] => {
    const calls: RawCall[] = [];
    let segments: Segment[] = [];
    const advance = (segs: Segment[], prev: WekaRequest, curr: WekaRequest, seed: string): Segment[] => {
      const next = segs.map((s) => ({ ...s, tokens: [...s.tokens] }));
      const m = curr.hashIds.length;
      const missing = Math.max(0, (Math.floor(curr.in / bs) - m) * bs);
      let lcp = 0;
      while (lcp < Math.min(prev.hashIds.length, m) && prev.hashIds[lcp] === curr.hashIds[lcp]) lcp++;
      truncate(next, lcp, bs, prev.in % bs);
      const region = [...blockTokens(curr.hashIds.slice(lcp, m)), ...tail(missing + (curr.in % bs), seed)];
      const newBlocks = m - lcp;
      const assistant = Math.min(prev.out > 0 ? Math.ceil(prev.out / bs) : 0, newBlocks);
      if (assistant > 0)
        next.push({ role: "assistant", blocks: assistant, tokens: region.slice(0, assistant * bs) });
      const user = region.slice(assistant * bs);
      if (user.length > 0) next.push({ role: "user", blocks: newBlocks - assistant, tokens: user });
      return next;
    };
    requests.forEach(({ request: r, t }, k) => {
      const seed = `${seedOf}:turn_${k}:partial_tail`;
      if (k === 0) {
        const full = Math.floor(r.in / bs);
        const covered = Math.min(full, r.hashIds.length);
        let cursor = 0;
        segments = [];
        if (prefixTokens > 0) {
          const blocks = Math.min(Math.ceil(prefixTokens / bs), covered);
          if (blocks > 0)
            segments.push({ role: "system", blocks, tokens: blockTokens(r.hashIds.slice(0, blocks)) });
          cursor = blocks;
        }
        const userBlocks = Math.max(0, covered - cursor);
        const tokens = [
          ...blockTokens(r.hashIds.slice(cursor, cursor + userBlocks)),
          ...tail((full - covered) * bs + (r.in - full * bs), seed),
        ];
        segments.push({ role: "user", blocks: userBlocks, tokens });
      } else {
        segments = advance(segments, requests[k - 1]!.request, r, seed);
      }
      // The expected output: the assistant text the next turn carries, else a seeded sample.
      let output = "";
      if (k + 1 < requests.length) {
        const ahead = advance(segments, r, requests[k + 1]!.request, `${seedOf}:turn_${k + 1}:partial_tail`);
        const last = [...ahead].reverse().find((s) => s.role === "assistant");
        output = last === undefined ? "" : text(last.tokens);
      } else {
        output = text(tail(r.out, `${seedOf}:final_turn_completion`));
      }
      const messages: ReplayMessage[] = segments.map((s) => {
        const content = text(s.tokens);
        return { role: s.role, text: content, toolCallIds: [], wire: [{ role: s.role, content }] };
      });
      const startMs = Math.trunc(warp(t) * 1000);
      calls.push({
        callId: name(k),
        startMs,
        endMs: startMs + Math.trunc(r.apiTime * 1000),
        model: r.model,
        messages,
        output: { text: output, toolCallIds: [], toolNames: [] },
        promptTokens: r.in,
        completionTokens: r.out,
        tools: null,
        attributes: {},
        thinkTimeMs: r.thinkTime === null ? null : r.thinkTime * 1000,
      });
    });
    return calls;
  };

  const calls = conversation(
    trace.normals.map((n) => ({ request: n.request, t: n.request.t })),
    trace.toolTokens + trace.systemTokens,
    (k) => `parent_turn_${k}`,
    trace.id,
  );
  for (const { entry } of trace.subagents) {
    const streams = packStreams(entry.requests);
    streams.forEach((stream, s) => {
      const sid = `${trace.id}::sa:${entry.agentId}${streams.length > 1 ? `:s${s}` : ""}`;
      calls.push(
        ...conversation(
          stream.map((r) => ({ request: r, t: childT(entry, r) })),
          entry.toolTokens + entry.systemTokens,
          (k) => `sa_${entry.agentId}_s${s}_turn_${k}`,
          sid,
        ),
      );
    });
  }
  calls.sort((a, b) => a.startMs - b.startMs || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0));
  return calls;
}

/** Keeps the first `target` blocks of the prompt (upstream's truncate_synth_buf_at_block). */
function truncate(segments: Segment[], target: number, bs: number, prevPartialTail: number): void {
  if (target <= 0) {
    segments.length = 0;
    return;
  }
  let cursor = 0;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (cursor + seg.blocks < target) {
      cursor += seg.blocks;
      continue;
    }
    if (cursor + seg.blocks === target) {
      // The cut falls at this segment's end: its partial last block (the previous turn's tail) goes.
      if (prevPartialTail > 0 && seg.tokens.length > 0)
        seg.tokens = seg.tokens.slice(0, seg.tokens.length - Math.min(prevPartialTail, seg.tokens.length));
      segments.length = i + 1;
      return;
    }
    if (cursor === target) {
      segments.length = i;
      return;
    }
    const kept = target - cursor;
    seg.blocks = kept;
    seg.tokens = seg.tokens.slice(0, Math.min(seg.tokens.length, kept * bs));
    segments.length = i + 1;
    return;
  }
}

/** Subagent requests packed into streams of calls that do not overlap (first stream that is free). */
function packStreams(requests: readonly WekaRequest[]): WekaRequest[][] {
  const sorted = [...requests].sort((a, b) => a.t - b.t);
  const streams: WekaRequest[][] = [];
  const ends: number[] = [];
  for (const r of sorted) {
    const free = ends.findIndex((end) => end <= r.t);
    if (free >= 0) {
      streams[free]!.push(r);
      ends[free] = r.t + r.apiTime;
    } else {
      streams.push([r]);
      ends.push(r.t + r.apiTime);
    }
  }
  return streams.length > 0 ? streams : [];
}

/** Seconds → seconds with every gap between request starts longer than `capS` shortened to it. */
export function idleGapWarp(starts: readonly number[], capS: number): (t: number) => number {
  if (capS <= 0) return (t) => t;
  const sorted = [...starts].sort((a, b) => a - b);
  const gaps: { from: number; to: number; shiftBefore: number; excess: number }[] = [];
  let shift = 0;
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap > capS) {
      gaps.push({ from: sorted[i - 1]!, to: sorted[i]!, shiftBefore: shift, excess: gap - capS });
      shift += gap - capS;
    }
  }
  return (t) => {
    let s = 0;
    for (const g of gaps) {
      if (t < g.from) return t - g.shiftBefore;
      if (t < g.to) return t - g.from <= capS ? t - g.shiftBefore : g.from - g.shiftBefore + capS;
      s = g.shiftBefore + g.excess;
    }
    return t - s;
  };
}
