// A stage's send offsets (ms from stage start) and its banner line. Pure.
import { constantOffsets, describeConstant, formatCount } from "./constant.ts";
import { describePoisson, poissonOffsets } from "./poisson.ts";
import { createRng } from "./rng.ts";
import { assertNever, type Stage } from "./stage.ts";

/**
 * The schedule RNG seed for a stage: distinct from the workers' data seeds (base_seed + i) and from
 * other stages, and a pure function of base_seed so runs replay.
 */
export function scheduleSeed(baseSeed: number, stageId: number): number {
  return (Math.imul((baseSeed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(stageId + 2, 0xc2b2ae35)) >>> 0;
}

/** Send offsets of an open-loop stage; null for a closed loop or a session stage (no fixed send times). */
export function stageOffsets(stage: Stage, baseSeed: number): Float64Array | null {
  switch (stage.kind) {
    case "closed":
    case "session":
      return null;
    case "trace":
      return stage.offsetsMs;
    case "rate": {
      const opts = { rate: stage.rate, durationS: stage.durationS };
      if (stage.arrival === "poisson")
        return poissonOffsets(opts, createRng(scheduleSeed(baseSeed, stage.id)));
      return constantOffsets(opts);
    }
    default:
      return assertNever(stage);
  }
}

/** One banner line per stage: "Stage 0: 200.0 req/s Poisson for about 60 s, 12,000 requests". */
export function describeStage(stage: Stage): string {
  const head = stage.id < 0 ? "Probe" : `Stage ${stage.id}`;
  const count = formatCount(stage.numRequests);
  switch (stage.kind) {
    case "closed":
      return `${head}: ${count} requests at exactly ${stage.concurrency} in flight`;
    case "trace":
      return `${head}: trace replay, ${count} requests`;
    case "session": {
      const sessions = formatCount(stage.sessionCount);
      const limit =
        stage.concurrentSessions === 0 ? "all at once" : `up to ${stage.concurrentSessions} at once`;
      const rate = stage.sessionRate === null ? "" : `, at most ${stage.sessionRate} started per second`;
      const timeout = stage.timeoutS === null ? "" : `, for at most ${stage.timeoutS} s`;
      return `${head}: ${sessions} session${stage.sessionCount === 1 ? "" : "s"} (${count} calls), ${limit}${rate}${timeout}`;
    }
    case "rate": {
      const opts = { rate: stage.rate, durationS: stage.durationS };
      return `${head}: ${stage.arrival === "poisson" ? describePoisson(opts) : describeConstant(opts)}`;
    }
    default:
      return assertNever(stage);
  }
}
