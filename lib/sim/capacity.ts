// The simulator's true capacity from its parameters, for tests and sweeps that need to know where the
// saturation knee is. Pure. Derivation in docs/simulator.md "True capacity": once every slot is busy,
// each slot is held for prefill + (n − 1) × itl per request, with itl at its all-slots-busy value.
import type { SimOptions } from "./options.ts";

export type CapacityParams = Pick<
  SimOptions,
  "maxNumSeqs" | "prefillMs" | "prefillMsPerToken" | "itlMs" | "itlGrowth"
>;

/** Milliseconds one request holds a slot when all slots are busy (no jitter). */
export function slotHoldMs(
  params: CapacityParams,
  request: { promptTokens: number; outputTokens: number },
): number {
  const itl = params.itlMs * (1 + params.itlGrowth * (params.maxNumSeqs - 1));
  return (
    params.prefillMs + params.prefillMsPerToken * request.promptTokens + (request.outputTokens - 1) * itl
  );
}

/**
 * Requests per second a saturated simulator completes when every request has `promptTokens` and
 * produces exactly `outputTokens` (ignore_eos): 1000 × max_num_seqs / slotHoldMs. Exact without jitter.
 */
export function simCapacity(
  params: CapacityParams,
  request: { promptTokens: number; outputTokens: number },
): number {
  if (!Number.isInteger(request.outputTokens) || request.outputTokens < 1) {
    throw new RangeError(`outputTokens must be an integer >= 1, got ${request.outputTokens}`);
  }
  const hold = slotHoldMs(params, request);
  return hold > 0 ? (1000 * params.maxNumSeqs) / hold : Number.POSITIVE_INFINITY;
}
