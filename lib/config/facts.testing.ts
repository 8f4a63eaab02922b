// Fixed facts and a throw-catcher shared by this folder's tests.
import { describeFailure } from "../cli/errors.ts";
import { type ConfigFacts, configFromObject, type LoadedConfig } from "./load.ts";

export const fixedFacts: ConfigFacts = { env: {}, cpuCount: 4, now: new Date(2026, 0, 2, 3, 4, 5) };

/** The config for `raw` with fixed facts. */
export function build(raw: unknown, facts: Partial<ConfigFacts> = {}): LoadedConfig {
  return configFromObject(raw, { ...fixedFacts, ...facts, name: "test.yaml" });
}

/** The problem lines `raw` produces (empty when it is valid). */
export function problemsOf(raw: unknown, facts: Partial<ConfigFacts> = {}): string[] {
  try {
    build(raw, facts);
    return [];
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.isBug) throw error;
    return failure.text
      .split("\n")
      .slice(1)
      .map((line) => line.trim());
  }
}

export const oneStage = { stages: [{ rate: 1, duration: 10 }] };
