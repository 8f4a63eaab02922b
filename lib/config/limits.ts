// Bounds on what a config file may make the loader do: a config is a few hundred values, so a file
// far past that is a mistake or an attack (a 500-byte YAML alias bomb expands to billions of values;
// deeply nested JSON overflows recursive walks). Checked right after parsing, before anything walks
// the tree recursively. Pure.
import { UserError } from "../cli/errors.ts";
import { formatPath } from "./_path.ts";
import type { PathKey } from "./_valibot.ts";

/** Largest config file read. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** YAML alias nodes (`*ref`) per file; anchors that many times reused are not a config. */
export const MAX_YAML_ALIASES = 100;
/**
 * Values (maps, lists and scalars) in a config after aliases are expanded. Real configs hold a few
 * hundred; this also bounds the work of validating a file of unknown keys (about 0.5 s at the limit).
 */
export const MAX_CONFIG_VALUES = 20_000;
/**
 * Lines plus commas in a config's text: a cheap bound taken before parsing, since parsers spend
 * seconds on a few hundred thousand keys (YAML about 30 µs each) before any other bound could look.
 */
export const MAX_CONFIG_SEPARATORS = 2 * MAX_CONFIG_VALUES;
/** Nesting depth of maps and lists; the deepest real config field is under ten. */
export const MAX_CONFIG_DEPTH = 64;
/** Problems listed in one error; the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 50;

/** Keys that would reach JavaScript object internals: refused as unknown keys, never merged. */
export const forbiddenKeys: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

interface Item {
  node: unknown;
  depth: number;
  key: PathKey | null;
  parent: Item | null;
}

function pathOf(item: Item): PathKey[] {
  const keys: PathKey[] = [];
  for (let at: Item | null = item; at !== null && at.key !== null; at = at.parent) keys.push(at.key);
  return keys.reverse();
}

/**
 * Walks a parsed config without recursion. Throws a UserError when it holds more than
 * MAX_CONFIG_VALUES values or nests deeper than MAX_CONFIG_DEPTH; returns an "unknown key" problem
 * line for every forbidden key.
 */
export function checkTree(tree: unknown, name: string): string[] {
  const problems: string[] = [];
  const stack: Item[] = [{ node: tree, depth: 0, key: null, parent: null }];
  let values = 0;
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (++values > MAX_CONFIG_VALUES) {
      throw new UserError(
        `Cannot read config "${name}": it holds more than ${MAX_CONFIG_VALUES} values (YAML aliases can multiply a small file)`,
      );
    }
    const { node } = item;
    if (node === null || typeof node !== "object") continue;
    if (item.depth >= MAX_CONFIG_DEPTH) {
      throw new UserError(
        `Cannot read config "${name}": nested more than ${MAX_CONFIG_DEPTH} levels deep at ${formatPath(pathOf(item))}`,
      );
    }
    const depth = item.depth + 1;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], depth, key: i, parent: item });
      continue;
    }
    for (const key of Object.keys(node)) {
      if (forbiddenKeys.has(key)) {
        problems.push(`${formatPath([...pathOf(item), key])}: unknown key`);
        continue;
      }
      stack.push({ node: (node as Record<string, unknown>)[key], depth, key, parent: item });
    }
  }
  return problems;
}

/**
 * Where JSON text first nests deeper than `max` (1-based line and column), scanning brackets outside
 * strings: JSON.parse takes seconds on a million nested brackets before any bound could look.
 */
export function jsonTooDeep(
  text: string,
  max = MAX_CONFIG_DEPTH,
): { line: number; column: number } | undefined {
  let depth = 0;
  let inString = false;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return { line, column: i - lineStart + 1 };
    } else if (c === 93 || c === 125) depth--;
    else if (c === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return undefined;
}

/** Whether `text` has more than `max` line breaks and commas together. */
export function tooManySeparators(text: string, max = MAX_CONFIG_SEPARATORS): boolean {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 10 || c === 44) && ++count > max) return true;
  }
  return false;
}

/** The first MAX_PROBLEMS_SHOWN lines, then "… and N more problems" (of `total` in all). */
export function capProblems(
  lines: readonly string[],
  max = MAX_PROBLEMS_SHOWN,
  total = lines.length,
): string[] {
  if (total <= max) return [...lines];
  const rest = total - Math.min(max, lines.length);
  return [...lines.slice(0, max), `… and ${rest} more ${rest === 1 ? "problem" : "problems"}`];
}
