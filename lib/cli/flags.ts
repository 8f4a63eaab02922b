// Flags citty does not police: unknown flags (exit 2 with a suggestion), values given to switches,
// and repeated `--set`. Pure.
import type { ArgsDef } from "citty";
import { UserError } from "./errors.ts";
import { suggest } from "./suggest.ts";

/** How users type an arg key: kebab-case, a hyphen before each capital and each run of digits (`fail429` → `fail-429`). */
export function flagSpelling(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/([a-z])(\d)/g, "$1-$2");
}

/** The camelCase spelling citty also accepts (`max-num-seqs` → `maxNumSeqs`). */
function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Every spelling a command accepts: long names (as declared, kebab and camel), `--no-x` for booleans, aliases. */
function knownFlags(argsDef: ArgsDef): Set<string> {
  const known = new Set<string>(["help", "h"]);
  for (const [name, def] of Object.entries(argsDef)) {
    if (def.type === "positional") continue;
    for (const spelling of [name, flagSpelling(name), camel(name)]) {
      known.add(spelling);
      if (def.type === "boolean") known.add(`no-${spelling}`);
    }
    const aliases = "alias" in def && def.alias !== undefined ? def.alias : [];
    for (const alias of Array.isArray(aliases) ? aliases : [aliases]) known.add(alias);
  }
  return known;
}

/** Throws a UserError naming the first unknown flag (and the closest known one, as users type it). */
export function checkUnknownFlags(rawArgs: readonly string[], argsDef: ArgsDef): void {
  const known = knownFlags(argsDef);
  for (const arg of rawArgs) {
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) continue;
    const name = arg.replace(/^--?/, "").split("=")[0] ?? "";
    if (known.has(name)) continue;
    const longNames = Object.keys(argsDef).map(flagSpelling);
    const hint = suggest(name, longNames);
    throw new UserError(
      `Unknown option "${arg.split("=")[0]}"${hint === undefined ? "" : `: did you mean "--${hint}"?`}`,
      { details: ["Run with --help to see the options"] },
    );
  }
}

/**
 * Throws a UserError for a switch given a value other than true or false (`--close-connection=maybe`),
 * which citty would quietly read as on.
 */
export function checkSwitchValues(rawArgs: readonly string[], argsDef: ArgsDef): void {
  const switches = new Set<string>();
  for (const [name, def] of Object.entries(argsDef)) {
    if (def.type === "boolean") for (const s of [name, flagSpelling(name), camel(name)]) switches.add(s);
  }
  for (const arg of rawArgs) {
    if (arg === "--") break;
    const m = /^--(?:no-)?([^=]+)=(.*)$/s.exec(arg);
    if (m === null || !switches.has(m[1]!) || m[2] === "true" || m[2] === "false") continue;
    throw new UserError(
      `Cannot read option "--${m[1]}": expected no value (or true or false), got "${m[2]}"`,
    );
  }
}

/** Every `--set path=value` (or `--set=path=value`, `-s path=value`) in order of appearance. */
export function extractSetOverrides(rawArgs: readonly string[]): string[] {
  return extractRepeated(rawArgs, { name: "set", alias: "s", hint: "path=value" });
}

/**
 * Every value of a repeatable string flag (`--name value`, `--name=value`, `-alias value`) in order
 * of appearance; citty keeps only one. `hint` names the expected value in the error for a bare flag.
 */
export function extractRepeated(
  rawArgs: readonly string[],
  flag: { name: string; alias?: string; hint: string },
): string[] {
  const long = `--${flag.name}`;
  const short = flag.alias === undefined ? undefined : `-${flag.alias}`;
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    if (arg === long || arg === short) {
      const value = rawArgs[i + 1];
      if (value === undefined) throw new UserError(`Missing value after "${arg}": expected ${flag.hint}`);
      values.push(value);
      i++;
    } else if (arg.startsWith(`${long}=`)) {
      values.push(arg.slice(long.length + 1));
    }
  }
  return values;
}
