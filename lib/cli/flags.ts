// Flags citty does not police: unknown flags (exit 2 with a suggestion) and repeated `--set`. Pure.
import type { ArgsDef } from "citty";
import { UserError } from "./errors.ts";
import { suggest } from "./suggest.ts";

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Every spelling a command accepts: long names (camel and kebab), `--no-x` for booleans, aliases. */
function knownFlags(argsDef: ArgsDef): Set<string> {
  const known = new Set<string>(["help", "h"]);
  for (const [name, def] of Object.entries(argsDef)) {
    if (def.type === "positional") continue;
    known.add(name);
    known.add(kebab(name));
    if (def.type === "boolean") {
      known.add(`no-${name}`);
      known.add(`no-${kebab(name)}`);
    }
    const aliases = "alias" in def && def.alias !== undefined ? def.alias : [];
    for (const alias of Array.isArray(aliases) ? aliases : [aliases]) known.add(alias);
  }
  return known;
}

/** Throws a UserError naming the first unknown flag (and the closest known one). */
export function checkUnknownFlags(rawArgs: readonly string[], argsDef: ArgsDef): void {
  const known = knownFlags(argsDef);
  for (const arg of rawArgs) {
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) continue;
    const name = arg.replace(/^--?/, "").split("=")[0] ?? "";
    if (known.has(name)) continue;
    const longNames = [...known].filter((k) => k.length > 1 && !k.startsWith("no-"));
    const hint = suggest(name, longNames);
    throw new UserError(
      `Unknown option "${arg.split("=")[0]}"${hint === undefined ? "" : `: did you mean "--${hint}"?`}`,
      { details: ["Run with --help to see the options"] },
    );
  }
}

/** Every `--set path=value` (or `--set=path=value`, `-s path=value`) in order of appearance. */
export function extractSetOverrides(rawArgs: readonly string[]): string[] {
  const overrides: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    if (arg === "--set" || arg === "-s") {
      const value = rawArgs[i + 1];
      if (value === undefined) throw new UserError(`Missing value after "${arg}": expected path=value`);
      overrides.push(value);
      i++;
    } else if (arg.startsWith("--set=")) {
      overrides.push(arg.slice("--set=".length));
    }
  }
  return overrides;
}
