// `--set path=value` overrides applied to the parsed config tree before validation. Pure.
import { UserError } from "../cli/errors.ts";
import { formatPath, parsePath } from "./_path.ts";
import type { PathKey } from "./_valibot.ts";
import { forbiddenKeys } from "./limits.ts";

/**
 * The typed value of an override: numbers, `true`/`false`, `null`, JSON lists/objects/strings
 * (as inference-perf's `--load.stages '[…]'`), anything else as a plain string.
 */
export function coerceValue(text: string): unknown {
  const t = text.trim();
  if (t === "true") return true;
  if (t === "false") return false;
  if (t === "null" || t === "~") return null;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t.startsWith("[") || t.startsWith("{") || t.startsWith('"')) {
    try {
      return JSON.parse(t);
    } catch (error) {
      throw new UserError(`Cannot parse --set value ${JSON.stringify(text)}: expected JSON`, {
        cause: error,
      });
    }
  }
  return text;
}

export type Override = { path: PathKey[]; value: unknown };

/** `load.stages[0].rate=200` → { path: ["load", "stages", 0, "rate"], value: 200 }. */
export function parseOverride(text: string): Override {
  const eq = text.indexOf("=");
  const path = eq > 0 ? parsePath(text.slice(0, eq).trim()) : undefined;
  if (path === undefined) {
    throw new UserError(
      `Cannot parse --set ${JSON.stringify(text)}: expected path=value, e.g. load.stages[0].rate=200`,
    );
  }
  const forbidden = path.find((key) => typeof key === "string" && forbiddenKeys.has(key));
  if (forbidden !== undefined) {
    throw new UserError(`Cannot apply --set ${formatPath(path)}: "${forbidden}" is an unknown key`);
  }
  return { path, value: coerceValue(text.slice(eq + 1)) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Set one value, creating missing objects and lists on the way (a list index may append one item).
function setAt(root: Record<string, unknown>, { path, value }: Override): void {
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    const next = path[i + 1];
    const fresh = () => (typeof next === "number" ? [] : {});
    if (typeof key === "number") {
      if (!Array.isArray(node) || key > node.length) {
        const why = Array.isArray(node) ? `has ${node.length} items` : "is not a list";
        throw new UserError(`Cannot apply --set ${formatPath(path)}: ${formatPath(path.slice(0, i))} ${why}`);
      }
      if (last) node[key] = value;
      else if (node[key] === undefined || node[key] === null) node[key] = fresh();
      node = node[key];
    } else {
      if (!isRecord(node)) {
        throw new UserError(
          `Cannot apply --set ${formatPath(path)}: ${formatPath(path.slice(0, i))} is not a map`,
        );
      }
      // Own keys only: an inherited name such as "toString" is not a config value.
      if (last) node[key] = value;
      else if (!Object.hasOwn(node, key) || node[key] === undefined || node[key] === null)
        node[key] = fresh();
      node = node[key];
    }
  }
}

/** A copy of `tree` with every override applied in order (later ones win). */
export function applyOverrides(tree: unknown, overrides: readonly string[]): unknown {
  // A file that is not a map is reported by the schema; overrides cannot repair it.
  if (overrides.length === 0 || !isRecord(tree)) return tree;
  const root = structuredClone(tree);
  for (const text of overrides) setAt(root, parseOverride(text));
  return root;
}
