import { describe, expect, test } from "bun:test";
import Ajv from "ajv";
import fc from "fast-check";
import { createRng } from "../load/rng.ts";
import { anyObjectSchema, jsonPieces, split } from "./json-output.ts";

const words = [" alpha", " beta", " gamma", " delta", " it's", " we"];
const ajv = new Ajv({ strict: false });

// The schema of inference-perf's structured-output example, and shapes servers commonly see.
const schemas: Record<string, Record<string, unknown>> = {
  "inference-perf example": {
    type: "object",
    properties: { name: { type: "string" }, age: { type: "integer" } },
    required: ["name", "age"],
  },
  "nested objects, arrays, enums and bounds": {
    type: "object",
    properties: {
      query: { type: "string" },
      intent: { enum: ["search", "buy", "ask"] },
      score: { type: "number", minimum: 0, maximum: 1 },
      tags: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 4 },
      meta: { type: "object", properties: { ok: { type: "boolean" }, note: { type: ["string", "null"] } } },
      kind: { const: "v1" },
      choice: { anyOf: [{ type: "string" }, { type: "integer" }] },
    },
    required: ["query", "intent", "score", "tags", "meta", "kind", "choice"],
    additionalProperties: false,
  },
  "no string at all": { type: "object", properties: { n: { type: "integer" }, b: { type: "boolean" } } },
  json_object: anyObjectSchema,
};

describe("jsonPieces()", () => {
  test.each(Object.entries(schemas))(
    "gives exactly the token budget, and from the smallest budget that fits on, a document satisfying the schema (%s)",
    (_name, schema) => {
      const validate = ajv.compile(schema);
      let firstFit = 0;
      for (let tokens = 1; tokens <= 160; tokens++) {
        const pieces = jsonPieces(schema, tokens, words, createRng(7)); // one seed: one document shape
        expect(pieces).toHaveLength(tokens);
        const text = pieces.join("");
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          // The budget ran out before the document closed (finish_reason "length"), never after a fit.
          expect(firstFit).toBe(0);
          continue;
        }
        if (firstFit === 0) firstFit = tokens;
        expect(validate(value)).toBe(true);
      }
      expect(firstFit).toBeGreaterThan(0);
      expect(firstFit).toBeLessThan(100);
    },
  );

  test("fills string values up to the budget instead of padding when the schema has strings", () => {
    const pieces = jsonPieces(schemas["inference-perf example"]!, 60, words, createRng(3));
    expect(pieces.join("").endsWith("}")).toBe(true);
    expect(JSON.parse(pieces.join("")).name.split(" ").length).toBeGreaterThan(40);
  });

  test("is the same for the same seed, and splits back into the same pieces (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (tokens, seed) => {
        const schema = schemas["nested objects, arrays, enums and bounds"]!;
        const a = jsonPieces(schema, tokens, words, createRng(seed));
        expect(jsonPieces(schema, tokens, words, createRng(seed))).toEqual(a);
        const text = a.join("");
        if (text.trim() === text && a.length === split(text).length) expect(split(text)).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });
});
