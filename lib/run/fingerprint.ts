// The run's sequence fingerprint: one ohash hash over every stage's send offsets and each worker's running
// hash of the request bodies it sent (data and LoRA adapter choices), in order. The same base_seed,
// config and worker count give the same fingerprint; print it so users can see two runs matched.
import { stableHash } from "../config/fingerprint.ts";

export interface StageSequence {
  stageId: number;
  /** FNV-1a of the stage's offsets (hex), or "closed-loop". */
  offsets: string;
  /** Per worker, in worker order. */
  workers: readonly string[];
}

export function sequenceFingerprint(stages: readonly StageSequence[]): string {
  return stableHash(stages.map((s) => [s.stageId, s.offsets, [...s.workers]]));
}
