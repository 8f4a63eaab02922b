// The static import graph of our own source from an entry file: which modules a thread evaluates
// before its first line runs, and through which chain each arrives. Dynamic `import()` is not
// followed (that is how start-up keeps rarely used code out). Packages and `node:` modules are
// leaves, named by their specifier. Text-based: it reads our consistent import style, not arbitrary
// JavaScript. Used by the start-up tests and to find what to make lazy:
//   bun scripts/import-graph.ts cmd/main.ts [module-substring]   # every module, or the chain to one
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");

/** `import … from "x"`, `import "x"`, `export … from "x"`; `import type`/`export type` are skipped. */
const IMPORT = /^(?:import|export)\s+(type\s+)?(?:[^;"]*?\sfrom\s+)?"([^"]+)";/gm;

/** The specifiers `file` imports at evaluation time (not `import type`, not `import()`). */
export function staticImportsOf(text: string): string[] {
  const out: string[] = [];
  for (const [, isType, specifier] of text.matchAll(IMPORT)) if (isType === undefined) out.push(specifier!);
  return out;
}

/**
 * Every module reachable from `entry` (a path relative to the repo root) by static imports, each with
 * the module that first imported it (null for the entry), in breadth-first order.
 */
export function staticGraph(entry: string): Map<string, string | null> {
  const seen = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (!file.endsWith(".ts")) continue; // a package or a node: module
    const text = readFileSync(resolve(root, file), "utf8");
    for (const specifier of staticImportsOf(text)) {
      const key = specifier.startsWith(".")
        ? relative(root, resolve(root, dirname(file), specifier))
        : specifier;
      if (seen.has(key)) continue;
      seen.set(key, file);
      queue.push(key);
    }
  }
  return seen;
}

/** The chain of importers from the entry to `module`, entry first. */
export function chainTo(graph: Map<string, string | null>, module: string): string[] {
  const chain: string[] = [];
  for (let m: string | null | undefined = module; m !== null && m !== undefined; m = graph.get(m))
    chain.unshift(m);
  return chain;
}

if (import.meta.main) {
  const [entry = "cmd/main.ts", find] = process.argv.slice(2);
  const graph = staticGraph(entry);
  if (find === undefined) for (const module of graph.keys()) console.log(module);
  else
    for (const module of graph.keys())
      if (module.includes(find)) console.log(chainTo(graph, module).join(" → "));
}
