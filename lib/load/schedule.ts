// A stage's send offsets (ms from stage start) from its type and base_seed. Pure.
import { constantOffsets, describeConstant } from "./constant.ts";
import { describePoisson, poissonOffsets } from "./poisson.ts";
import { createRng } from "./rng.ts";
import type { Stage } from "./stages.ts";

/**
 * The schedule RNG seed for a stage: distinct from the workers' data seeds (base_seed + i) and from
 * other stages, and a pure function of base_seed so runs replay.
 */
export function scheduleSeed(baseSeed: number, stageId: number): number {
  return (Math.imul((baseSeed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(stageId + 2, 0xc2b2ae35)) >>> 0;
}

/** Offsets for a rate stage; `traceOffsets` supplies trace_replay stages. Concurrent stages have none. */
export function stageOffsets(
  stage: Stage,
  baseSeed: number,
  traceOffsets?: Float64Array,
): Float64Array | null {
  if (stage.kind === "concurrent") return null;
  if (stage.kind === "trace") {
    if (traceOffsets === undefined) throw new RangeError("A trace_replay stage needs the trace's offsets");
    return traceOffsets.subarray(0, Math.min(stage.numRequests, traceOffsets.length));
  }
  const opts = { rate: stage.rate!, durationS: stage.durationS! };
  if (stage.type === "poisson") return poissonOffsets(opts, createRng(scheduleSeed(baseSeed, stage.id)));
  return constantOffsets(opts);
}

/** One banner line per stage: "Stage 0: 200.0 req/s Poisson for about 60 s, 12,000 requests". */
export function describeStage(stage: Stage): string {
  const head = stage.id < 0 ? "Probe" : `Stage ${stage.id}`;
  if (stage.kind === "concurrent") {
    return `${head}: ${stage.numRequests.toLocaleString("en-US")} requests at exactly ${stage.concurrency} in flight`;
  }
  if (stage.kind === "trace")
    return `${head}: trace replay, ${stage.numRequests.toLocaleString("en-US")} requests`;
  const opts = { rate: stage.rate!, durationS: stage.durationS! };
  return `${head}: ${stage.type === "poisson" ? describePoisson(opts) : describeConstant(opts)}`;
}
