// Structured output for the simulator: a JSON document that satisfies the request's JSON schema
// (response_format json_schema) or is any JSON object (json_object), cut into exactly as many pieces as
// the engine gives the request tokens, so streaming, usage and timing stay those of ordinary text.
// String values are filled with vocabulary words to spend the token budget; when the document is
// complete before the budget is, whitespace follows (as vLLM's guided decoding does with ignore_eos);
// when the budget runs out first the document is cut (finish_reason "length": it does not parse).
// Pure given the RNG.
import type { Rng } from "../load/rng.ts";

type Schema = Readonly<Record<string, unknown>>;

/** The schema of a json_object request: an object with one string field. */
export const anyObjectSchema: Schema = {
  type: "object",
  properties: { text: { type: "string" } },
  required: ["text"],
};

/** Nesting deeper than this becomes null (self-referencing or absurd schemas stay finite). */
const maxDepth = 8;

interface Draft {
  /** Builds the document with `words(k)` words in string slot k. */
  render(words: (slot: number) => string): string;
  slots: number;
}

/** Exactly `tokens` pieces whose concatenation is a document satisfying `schema` (when it fits). */
export function jsonPieces(schema: Schema, tokens: number, words: readonly string[], rng: Rng): string[] {
  if (tokens <= 0) return [];
  const draft = plan(schema, rng);
  const pick = () => (words[rng.int(words.length)] as string).trim();
  const fill = (counts: readonly number[]) =>
    draft.render((slot) =>
      Array.from({ length: counts[slot] ?? 1 }, (_, i) => (i === 0 ? pick() : ` ${pick()}`)).join(""),
    );
  const minimal = split(fill([]));
  const extra = tokens - minimal.length;
  let pieces = minimal;
  if (extra > 0 && draft.slots > 0) {
    const counts = Array.from(
      { length: draft.slots },
      (_, k) => 1 + Math.floor(extra / draft.slots) + (k < extra % draft.slots ? 1 : 0),
    );
    pieces = split(fill(counts));
  }
  if (pieces.length >= tokens) return pieces.slice(0, tokens);
  return [...pieces, ...Array.from({ length: tokens - pieces.length }, () => " ")];
}

/** A JSON text as token-like pieces: structural characters, quotes, words with their leading space. */
export function split(text: string): string[] {
  return text.match(/\s*[^\s"{}[\],:]+|\s*["{}[\],:]|\s+/g) ?? [];
}

/** Walks the schema once, fixing every choice (enum picks, array lengths) but leaving string slots open. */
function plan(schema: Schema, rng: Rng): Draft {
  let slots = 0;
  const build = (s: unknown, depth: number): ((words: (slot: number) => string) => string) => {
    if (depth > maxDepth || s === null || typeof s !== "object" || Array.isArray(s)) {
      return s === false || depth > maxDepth ? () => "null" : build({ type: "string" }, depth);
    }
    const node = s as Schema;
    if ("const" in node) {
      const fixed = JSON.stringify(node.const);
      return () => fixed;
    }
    if (Array.isArray(node.enum) && node.enum.length > 0) {
      const fixed = JSON.stringify(node.enum[rng.int(node.enum.length)]);
      return () => fixed;
    }
    for (const key of ["anyOf", "oneOf", "allOf"]) {
      const options = node[key];
      if (Array.isArray(options) && options.length > 0)
        return build({ ...options[0], ...strip(node, key) }, depth);
    }
    const type = Array.isArray(node.type) ? (node.type.find((t) => t !== "null") ?? "null") : node.type;
    switch (
      type ??
      (node.properties !== undefined ? "object" : node.items !== undefined ? "array" : "string")
    ) {
      case "object": {
        const properties = (node.properties ?? {}) as Record<string, unknown>;
        const fields = Object.entries(properties).map(
          ([name, sub]) => [JSON.stringify(name), build(sub, depth + 1)] as const,
        );
        return (words) => `{${fields.map(([name, value]) => `${name}: ${value(words)}`).join(", ")}}`;
      }
      case "array": {
        const min = typeof node.minItems === "number" ? node.minItems : 1;
        const max = typeof node.maxItems === "number" ? node.maxItems : Math.max(min, 3);
        const count = Math.min(max, Math.max(min, 1 + rng.int(3)));
        const items = Array.from({ length: count }, () => build(node.items ?? {}, depth + 1));
        return (words) => `[${items.map((item) => item(words)).join(", ")}]`;
      }
      case "integer":
      case "number": {
        const low = typeof node.minimum === "number" ? Math.ceil(node.minimum) : 0;
        const high = typeof node.maximum === "number" ? Math.floor(node.maximum) : low + 100;
        const value = high >= low ? low + rng.int(high - low + 1) : low;
        return () => String(value);
      }
      case "boolean": {
        const value = rng.next() < 0.5 ? "true" : "false";
        return () => value;
      }
      case "null":
        return () => "null";
      default: {
        const slot = slots++;
        return (words) => JSON.stringify(words(slot));
      }
    }
  };
  const render = build(schema, 0);
  return { render, slots };
}

function strip(node: Schema, key: string): Schema {
  const { [key]: _dropped, ...rest } = node;
  return rest;
}
