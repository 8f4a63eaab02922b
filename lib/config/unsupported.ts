// Options that parse (they are valid inference-perf config) but that inferload does not implement
// yet. `run` refuses them by name instead of silently ignoring them. Pure.
//
// To implement a feature: make it work, then delete its row here (and its line in docs/config.md).
import { UserError } from "../cli/errors.ts";
import type { Config } from "./schema.ts";

export type UnsupportedOption = {
  /** Config path as the user writes it. */
  path: string;
  /** True when this config uses the option in a way we cannot honour. */
  isUsed: (config: Config) => boolean;
  /** What to say instead of the bare "not supported yet", e.g. which values do work. */
  detail?: (config: Config) => string;
};

/**
 * Every option of inference-perf's config is implemented, so the table is empty. It stays as the
 * place a newer upstream option goes when its fields parse before its behaviour lands.
 */
export const unsupportedOptions: readonly UnsupportedOption[] = [];

/** One line per option this config uses that is not implemented, e.g. `load.some_option: not supported yet`. */
export function findUnsupported(
  config: Config,
  table: readonly UnsupportedOption[] = unsupportedOptions,
): string[] {
  return table
    .filter((row) => row.isUsed(config))
    .map((row) => `${row.path}: ${row.detail?.(config) ?? "not supported yet"}`);
}

/** Throws one UserError listing every option of `config` that parses but is not implemented yet. */
export function assertSupported(
  config: Config,
  table: readonly UnsupportedOption[] = unsupportedOptions,
): void {
  const lines = findUnsupported(config, table);
  if (lines.length === 0) return;
  const count = lines.length === 1 ? "an option that is" : `${lines.length} options that are`;
  throw new UserError(`Cannot run this config: it uses ${count} not supported yet`, { details: lines });
}
