// The room-boundary check behind `npm run lint`: every import between rooms (the folders of lib/, and
// cmd/) must be one that docs/ARCHITECTURE.md's room table allows, and a `_`-prefixed file is private
// to its folder. The table in the doc is the rule: this script parses it, so the map and the check
// cannot drift apart. Test files (`*.test.ts`) and test helpers (`*.testing.ts`) may assemble real
// parts from any room, but they too must not reach into another folder's `_` files.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** room → the rooms it may import ("lib/*" means any room of lib/). */
export type RoomRules = Map<string, Set<string>>;

export interface Violation {
  file: string;
  specifier: string;
  reason: string;
}

/**
 * Reads the table whose header has the columns `room` and `may import`: the room is the first code
 * span of its cell (`lib/http/`), the allowed rooms are the code spans of the last cell, "—" for none.
 */
export function parseRoomTable(markdown: string): RoomRules {
  const rules: RoomRules = new Map();
  let inTable = false;
  for (const line of markdown.split("\n")) {
    const cells = line.trim().startsWith("|") ? line.split("|").slice(1, -1) : null;
    if (cells === null) {
      inTable = false;
      continue;
    }
    if (/^\s*room\s*$/i.test(cells[0] ?? "") && /may import/i.test(cells.at(-1) ?? "")) {
      inTable = true;
      continue;
    }
    if (!inTable || /^\s*-+\s*$/.test(cells[0] ?? "")) continue;
    const room = codeSpans(cells[0] ?? "")[0];
    if (room === undefined) continue;
    rules.set(trimSlash(room), new Set(codeSpans(cells.at(-1) ?? "").map(trimSlash)));
  }
  return rules;
}

function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
}

function trimSlash(path: string): string {
  return path.replace(/\/+$/, "");
}

/** The room a repository-relative path belongs to: `lib/<folder>` or `cmd`; null outside them. */
export function roomOf(path: string): string | null {
  const parts = path.split("/");
  if (parts[0] === "cmd") return "cmd";
  if (parts[0] === "lib" && parts.length > 2) return `lib/${parts[1]}`;
  return null;
}

const importPattern =
  /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Relative import specifiers of a source text (package imports are not rooms). */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(importPattern)) {
    const specifier = m[1] ?? m[2];
    if (specifier?.startsWith(".")) found.push(specifier);
  }
  return found;
}

/** Checks one file's imports; `file` and the results are relative to `root`, with `/` separators. */
export function checkFile(file: string, source: string, rules: RoomRules): Violation[] {
  const violations: Violation[] = [];
  const from = roomOf(file);
  const isTest = /\.(test|testing)\.ts$/.test(file);
  for (const specifier of importsOf(source)) {
    const target = join(dirname(file), specifier).split(sep).join("/");
    const base = target.split("/").at(-1) ?? "";
    if (base.startsWith("_") && dirname(target) !== dirname(file)) {
      violations.push({ file, specifier, reason: `${base} is private to ${dirname(target)}/` });
    }
    const to = roomOf(target);
    if (from === null || to === null || to === from || isTest) continue;
    const allowed = rules.get(from);
    if (allowed === undefined) {
      violations.push({ file, specifier, reason: `${from}/ is not in the room table` });
    } else if (!allowed.has(to) && !(allowed.has("lib/*") && to.startsWith("lib/"))) {
      violations.push({ file, specifier, reason: `${from}/ may not import ${to}/` });
    }
  }
  return violations;
}

/** Every .ts file under the given folders of `root`, as repository-relative paths. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) out.push(relative(root, path).split(sep).join("/"));
    }
  };
  for (const folder of folders) walk(join(root, folder));
  return out.sort();
}

export function checkBoundaries(root: string): Violation[] {
  const rules = parseRoomTable(readFileSync(join(root, "docs", "ARCHITECTURE.md"), "utf8"));
  if (rules.size === 0) {
    return [{ file: "docs/ARCHITECTURE.md", specifier: "", reason: "no room table (room | … | may import)" }];
  }
  return sourceFiles(root, ["cmd", "lib", "scripts"]).flatMap((file) =>
    checkFile(file, readFileSync(join(root, file), "utf8"), rules),
  );
}

if (import.meta.main) {
  const root = resolve(import.meta.dirname, "..");
  const violations = checkBoundaries(root);
  for (const v of violations) console.error(`${v.file}: import "${v.specifier}": ${v.reason}`);
  if (violations.length > 0) {
    console.error(`Room boundaries: ${violations.length} violation(s); see docs/ARCHITECTURE.md "Rooms"`);
    process.exit(1);
  }
}
