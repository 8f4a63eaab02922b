// `${VAR}` and `${VAR:-default}` references in config string values, resolved from an env map
// given by the caller (pure: never reads process.env). `$${` escapes a literal `${`.
import type { PathKey } from "./_valibot.ts";

export type MissingVariable = { path: PathKey[]; name: string };

const reference = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** One string with its references replaced; names of unset variables without a default are collected. */
export function interpolateString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  missing: string[] = [],
  used: string[] = [],
): string {
  return text.replace(reference, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === "$${") return "${";
    const value = env[name!];
    // As in POSIX `${VAR:-default}`, an empty variable also takes the default.
    if (value !== undefined && (value !== "" || fallback === undefined)) {
      used.push(value);
      return value;
    }
    if (fallback !== undefined) return fallback;
    missing.push(name!);
    return match;
  });
}

/**
 * A copy of `value` with every string interpolated. Values stay strings (`rate: ${RATE}` is the
 * string "200", which the schema then refuses); use `--set` for typed values. `used` lists the
 * variables' values that went in: they are treated as secrets wherever they end up.
 */
export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { value: unknown; missing: MissingVariable[]; used: string[] } {
  const missing: MissingVariable[] = [];
  const used: string[] = [];
  function walk(node: unknown, path: PathKey[]): unknown {
    if (typeof node === "string") {
      const names: string[] = [];
      const out = interpolateString(node, env, names, used);
      for (const name of names) missing.push({ path, name });
      return out;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = walk(item, [...path, key]);
      return out;
    }
    return node;
  }
  return { value: walk(value, []), missing, used };
}
