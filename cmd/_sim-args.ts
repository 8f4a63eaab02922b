// The flags of `inferload sim`, derived from the simulator's option table (lib/sim/options.ts): one
// flag per option, spelled from its key (`maxNumSeqs` → `--max-num-seqs`), with the table's default,
// description and check. Nothing here names an option by hand.
import type { ArgDef, ArgsDef } from "citty";
import { UserError } from "../lib/cli/errors.ts";
import { flagSpelling } from "../lib/cli/flags.ts";
import {
  checkSimOptions,
  type SimOptionKey,
  type SimOptionSpec,
  type SimOptions,
  type SimOptionValues,
  simOptionKeys,
  simOptionsFromValues,
  simOptionTable,
} from "../lib/sim/options.ts";

/** An option as typed on the command line, e.g. `--max-num-seqs`. */
export function simFlag(key: SimOptionKey): string {
  return `--${flagSpelling(key)}`;
}

/** The table's description with every `{key}` spelled as a flag. */
export function describeOption(row: SimOptionSpec): string {
  return row.description.replace(/\{(\w+)\}/g, (_, key: string) =>
    key in simOptionTable ? simFlag(key as SimOptionKey) : key,
  );
}

/** The default as --help shows it; undefined when there is none to show (no names, no file, off). */
export function shownDefault(row: SimOptionSpec): string | undefined {
  switch (row.type) {
    case "names":
      return row.default.length > 0 ? row.default.join(",") : undefined;
    case "path":
      return row.default ?? undefined;
    case "boolean":
      return undefined;
    default:
      return String(row.default);
  }
}

function argDef(row: SimOptionSpec): ArgDef {
  const description = describeOption(row);
  if (row.type === "boolean")
    return { type: "boolean", description, ...(row.default ? { default: true } : {}) };
  const shown = shownDefault(row);
  return {
    type: "string",
    description,
    ...(shown === undefined ? {} : { default: shown }),
    ...(row.type === "names" ? { valueHint: "NAME[,NAME...]" } : {}),
  };
}

export const simArgs: ArgsDef = Object.fromEntries(
  simOptionKeys.map((key) => [flagSpelling(key), argDef(simOptionTable[key])]),
);

type Parsed = { value: SimOptionValues[SimOptionKey] } | { problem: string };

/** A flag's text as the option's value; the table's check runs afterwards, on every value at once. */
function parseFlag(key: SimOptionKey, raw: string | boolean): Parsed {
  const row: SimOptionSpec = simOptionTable[key];
  if (row.type === "boolean") return { value: raw === true || raw === "true" };
  const text = String(raw);
  switch (row.type) {
    case "number": {
      const value = Number(text);
      return text.trim() === "" || !Number.isFinite(value)
        ? { problem: `${simFlag(key)}: expected a number, got "${text}"` }
        : { value };
    }
    case "names":
      return { value: text === "" ? [] : text.split(",").map((s) => s.trim()) };
    default:
      return { value: text };
  }
}

/**
 * Flag values as citty parsed them → options; every problem at once as a UserError. Like citty's
 * parsed args, `args` may key a flag by its spelling (`max-num-seqs`) or by the option key (`maxNumSeqs`).
 */
export function simOptionsFromArgs(args: { readonly [flag: string]: unknown }): SimOptions {
  const problems: string[] = [];
  const values: Partial<Record<SimOptionKey, SimOptionValues[SimOptionKey]>> = {};
  for (const key of simOptionKeys) {
    const raw = args[flagSpelling(key)] ?? args[key];
    if (typeof raw !== "string" && typeof raw !== "boolean") continue;
    const parsed = parseFlag(key, raw);
    if ("problem" in parsed) problems.push(parsed.problem);
    else values[key] = parsed.value;
  }
  // citty quietly drops words that are not flags; `--close-connection maybe` must not pass.
  const extra = Array.isArray(args._) ? (args._ as unknown[]) : [];
  if (extra.length > 0)
    problems.push(`arguments: expected none (only options), got ${JSON.stringify(extra)}`);
  const options = simOptionsFromValues(values as Partial<SimOptionValues>);
  // A flag that did not parse keeps its default here, so the checks report only the other flags.
  problems.push(...checkSimOptions(options, simFlag));
  if (problems.length > 0)
    throw new UserError("Cannot start the simulator: invalid options", { details: problems });
  return options;
}
