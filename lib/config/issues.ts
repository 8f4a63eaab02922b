// valibot issues → one line per problem: `load.stages[1].rate: expected a number > 0, got -5`,
// unknown keys with a "did you mean". Pure.
import * as v from "valibot";
import { suggest } from "../cli/suggest.ts";
import { formatPath } from "./_path.ts";
import { describeValue, type PathKey, UNKNOWN_KEY } from "./_valibot.ts";

type AnySchema = v.GenericSchema & {
  wrapped?: AnySchema;
  pipe?: readonly { kind: string }[];
  options?: readonly AnySchema[];
  entries?: Record<string, AnySchema>;
  item?: AnySchema;
  value?: AnySchema;
  getter?: (input: unknown) => AnySchema;
};

// The concrete schemas a (possibly wrapped, piped or union) schema stands for.
function unwrap(schema: AnySchema, out: AnySchema[] = []): AnySchema[] {
  if (schema.pipe !== undefined) {
    for (const item of schema.pipe) {
      if (item.kind !== "schema") continue;
      const inner = item as AnySchema;
      if (inner === schema || inner.pipe === undefined) unwrapOne(inner, out);
      else unwrap(inner, out);
    }
    return out;
  }
  unwrapOne(schema, out);
  return out;
}

function unwrapOne(schema: AnySchema, out: AnySchema[]): void {
  if (schema.wrapped !== undefined) unwrap(schema.wrapped, out);
  // A lazy schema picks by input shape; an empty object stands for "a map goes here".
  else if (schema.type === "lazy" && schema.getter !== undefined) unwrap(schema.getter({}), out);
  // picklist also has `options`, but they are strings, not schemas.
  else if ((schema.type === "union" || schema.type === "variant") && schema.options !== undefined) {
    for (const option of schema.options) unwrap(option, out);
  } else out.push(schema);
}

/** Schemas found at a path below `root` (several when unions are involved). */
export function schemasAt(root: v.GenericSchema, keys: readonly PathKey[]): AnySchema[] {
  let current = unwrap(root as AnySchema);
  for (const key of keys) {
    const next: AnySchema[] = [];
    for (const schema of current) {
      const child =
        schema.entries !== undefined && typeof key === "string"
          ? schema.entries[key]
          : schema.item !== undefined && typeof key === "number"
            ? schema.item
            : schema.type === "record"
              ? schema.value
              : undefined;
      if (child !== undefined) next.push(...unwrap(child));
    }
    current = next;
  }
  return current;
}

function knownKeys(root: v.GenericSchema, parent: readonly PathKey[]): string[] {
  return schemasAt(root, parent).flatMap((schema) => Object.keys(schema.entries ?? {}));
}

function keysOf(issue: v.BaseIssue<unknown>): PathKey[] {
  return (issue.path ?? []).map((item) => item.key as PathKey);
}

// What a missing required field should have been, in the words of its own schema.
function expectedFor(root: v.GenericSchema, keys: readonly PathKey[]): string {
  for (const schema of schemasAt(root, keys)) {
    const message = v.safeParse(schema, undefined).issues?.[0]?.message;
    if (message?.startsWith("expected")) return message;
  }
  return "expected a value";
}

/** One line per issue, in the order valibot found them. */
export function formatIssues(issues: readonly v.BaseIssue<unknown>[], root: v.GenericSchema): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const keys = keysOf(issue);
    const where = formatPath(keys);
    const last = keys.at(-1);
    if (issue.message === UNKNOWN_KEY && typeof last === "string") {
      const hint = suggest(last, knownKeys(root, keys.slice(0, -1)));
      lines.push(`${where}: unknown key${hint === undefined ? "" : `, did you mean "${hint}"?`}`);
    } else if (issue.type === "raw_check") {
      lines.push(`${where}: ${issue.message}`);
    } else if (issue.path?.at(-1)?.origin === "key" && issue.input === undefined) {
      lines.push(`${where}: ${expectedFor(root, keys)} (required), got nothing`);
    } else {
      const expected = issue.message.startsWith("expected")
        ? issue.message
        : `expected ${issue.expected ?? "a valid value"}`;
      lines.push(`${where}: ${expected}, got ${describeValue(issue.input)}`);
    }
  }
  return [...new Set(lines)];
}
