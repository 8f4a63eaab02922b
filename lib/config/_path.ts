// Config paths as users write them: `load.stages[0].rate` (also inference-perf's dotted
// `load.stages.0.rate`). Pure.
import type { PathKey } from "./_valibot.ts";

/** `load.stages[1].rate` for ["load", "stages", 1, "rate"]. */
export function formatPath(keys: readonly PathKey[]): string {
  let out = "";
  for (const key of keys) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? key : `.${key}`;
  }
  return out === "" ? "(top level)" : out;
}

/** ["load", "stages", 0, "rate"] for `load.stages[0].rate` or `load.stages.0.rate`; undefined if malformed. */
export function parsePath(text: string): PathKey[] | undefined {
  const keys: PathKey[] = [];
  for (const part of text.split(".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null) return undefined;
    const [, name = "", indexes = ""] = match;
    if (name === "" && (indexes === "" || keys.length === 0)) return undefined;
    if (name !== "") keys.push(/^\d+$/.test(name) && keys.length > 0 ? Number(name) : name);
    for (const index of indexes.matchAll(/\[(\d+)\]/g)) keys.push(Number(index[1]));
  }
  return keys.length === 0 ? undefined : keys;
}
