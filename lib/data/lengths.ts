// Per-request (input, output) token lengths for the random and synthetic generators. Pure.
// A LengthSource is the hook trace-driven lengths plug into (data.trace: one row per request).
import { createRng } from "../load/rng.ts";
import { indexRng } from "./_seed.ts";
import { type Distribution, generateDistribution } from "./distribution.ts";

export interface Lengths {
  input: number;
  output: number;
}

export interface LengthSource {
  /** Number of distinct rows when the lengths come from a finite list (a trace); else undefined. */
  readonly size: number | undefined;
  /** Lengths for request `index` (sources with a size cycle through it). */
  at(index: number): Lengths;
  /** No request's input is shorter (checked against a chat template's overhead at start). */
  readonly minInput: number;
}

/** Lengths from a list of rows (e.g. AzurePublicDataset ContextTokens/GeneratedTokens), cycled. */
export function listLengths(rows: readonly Lengths[]): LengthSource {
  if (rows.length === 0) throw new RangeError("A length list needs at least one row");
  return {
    size: rows.length,
    at: (index) => rows[index % rows.length] as Lengths,
    minInput: minOf(
      rows.map((r) => r.input),
      rows.length,
    ),
  };
}

/** Lengths from trace columns (lib/data/trace-csv.ts `readTrace`), one row per request, cycled. */
export function columnLengths(inputs: Int32Array, outputs: Int32Array): LengthSource {
  const n = Math.min(inputs.length, outputs.length);
  if (n === 0) throw new RangeError("A length list needs at least one row");
  return {
    size: n,
    at: (index) => ({ input: inputs[index % n] as number, output: outputs[index % n] as number }),
    minInput: minOf(inputs, n),
  };
}

/**
 * Lengths drawn with inference-perf's generate_distribution. With total_count on both sides the arrays
 * are drawn up front from `seed` (inputs first, then outputs, as upstream) and cycled; without it,
 * each request draws its own pair from a per-index RNG, which has the same distribution.
 */
export function distributionLengths(
  input: Distribution,
  output: Distribution,
  seed: number,
  paths: { input: string; output: string } = {
    input: "data.input_distribution",
    output: "data.output_distribution",
  },
): LengthSource {
  if (
    input.totalCount !== null &&
    output.totalCount !== null &&
    input.totalCount > 0 &&
    output.totalCount > 0
  ) {
    const rng = createRng(seed);
    const inputs = generateDistribution(input, input.totalCount, rng, paths.input);
    const outputs = generateDistribution(output, output.totalCount, rng, paths.output);
    const n = Math.min(inputs.length, outputs.length);
    return {
      size: undefined,
      at: (index) => ({ input: inputs[index % n] as number, output: outputs[index % n] as number }),
      minInput: minOf(inputs, n),
    };
  }
  // Validate once (a normal mean outside [min, max] must fail at start, not on the first request).
  generateDistribution(input, 1, createRng(seed), paths.input);
  generateDistribution(output, 1, createRng(seed), paths.output);
  return {
    size: undefined,
    at: (index) => {
      const rng = indexRng(seed, index, 1);
      return {
        input: generateDistribution(input, 1, rng, paths.input)[0] as number,
        output: generateDistribution(output, 1, rng, paths.output)[0] as number,
      };
    },
    // generateDistribution gives trunc(mean) for fixed, else values clamped to [min, max].
    minInput: input.type === "fixed" ? Math.trunc(input.mean) : input.min,
  };
}

/** The smallest of the first `n` values (a loop: a spread of millions would overflow the stack). */
function minOf(values: ArrayLike<number>, n: number): number {
  let min = values[0] as number;
  for (let i = 1; i < n; i++) min = Math.min(min, values[i] as number);
  return min;
}
