// Schema building blocks shared by the config schema files: typed leaves whose messages read
// "expected …" (issues.ts appends ", got …"), strict objects, and cross-field rules. Pure.
import * as v from "valibot";

type Bounds = { gt?: number; ge?: number; lt?: number; le?: number };

function describeBounds(noun: string, b: Bounds): string {
  const parts: string[] = [];
  if (b.gt !== undefined) parts.push(`> ${b.gt}`);
  if (b.ge !== undefined) parts.push(`>= ${b.ge}`);
  if (b.lt !== undefined) parts.push(`< ${b.lt}`);
  if (b.le !== undefined) parts.push(`<= ${b.le}`);
  return `expected ${noun}${parts.length === 0 ? "" : ` ${parts.join(" and ")}`}`;
}

// Every leaf carries one message for all of its checks, so a problem reads the same whichever
// check failed ("expected an integer >= 1, got 0.5").
function bounded(schema: v.NumberSchema<string>, message: string, b: Bounds) {
  return v.pipe(
    schema,
    v.finite(message),
    v.check((n) => b.gt === undefined || n > b.gt, message),
    v.check((n) => b.ge === undefined || n >= b.ge, message),
    v.check((n) => b.lt === undefined || n < b.lt, message),
    v.check((n) => b.le === undefined || n <= b.le, message),
  );
}

/** A finite number, optionally bounded: `num({ gt: 0 })` → "expected a number > 0". */
export function num(b: Bounds = {}) {
  const message = describeBounds("a number", b);
  return bounded(v.number(message), message, b);
}

/** A whole number, optionally bounded: `int({ ge: 1 })` → "expected an integer >= 1". */
export function int(b: Bounds = {}) {
  const message = describeBounds("an integer", b);
  return v.pipe(bounded(v.number(message), message, b), v.integer(message));
}

export function str() {
  return v.string("expected a string");
}

export function nonEmptyStr() {
  return v.pipe(v.string("expected a non-empty string"), v.minLength(1, "expected a non-empty string"));
}

export function bool() {
  return v.boolean("expected true or false");
}

/** One of a fixed list of strings: "expected one of "a", "b", got "c"". */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return v.picklist(values, `expected one of ${values.map((x) => `"${x}"`).join(", ")}`);
}

export function list<T extends v.GenericSchema>(item: T) {
  return v.array(item, "expected a list");
}

export function stringMap() {
  return v.record(v.string(), str(), "expected a map of strings");
}

export function anyMap() {
  return v.record(v.string(), v.unknown(), "expected a map");
}

/** inference-perf `Optional[X] = None`: absent or null → null. */
export function opt<T extends v.GenericSchema>(schema: T) {
  return v.optional(v.nullable(schema), null);
}

export const UNKNOWN_KEY = "unknown key";

/**
 * inference-perf models forbid extra keys. `objectWithRest(…, never())` reports every unknown key
 * (strictObject stops at the first); issues.ts adds the "did you mean" from the schema's keys.
 */
export function strict<const E extends v.ObjectEntries>(entries: E): v.ObjectSchema<E, string> {
  // Typed as a plain object schema: valibot types the rest as `{ [key: string]: never }`, which
  // would make every misspelt property read compile. At run time an unknown key is an issue.
  // valibot's object schemas also take arrays; a list where a map belongs is a type error here.
  const isMap = (x: unknown) => x !== null && typeof x === "object" && !Array.isArray(x);
  return v.pipe(
    v.custom<Record<string, unknown>>(isMap, "expected an object"),
    v.objectWithRest(entries, v.never(UNKNOWN_KEY), "expected an object"),
  ) as unknown as v.ObjectSchema<E, string>;
}

/** A section that inference-perf defaults to its model's defaults, also when given as null. */
export function section<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.nullish(v.unknown(), () => ({})),
    v.transform((x) => x ?? {}),
    strict(entries),
  );
}

export type PathKey = string | number;

/**
 * A cross-field problem, relative to the object the rule is attached to. `got` replaces the
 * default description of the value at `path` when that value alone does not explain the problem.
 */
export type Problem = { path: readonly PathKey[]; expected: string; got?: string };

/** How a value is shown after "got": strings quoted, lists and objects by kind, absence as "nothing". */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (value !== null && typeof value === "object") return "an object";
  return String(value);
}

type Issues = readonly v.BaseIssue<unknown>[] | undefined;

// Mirrors valibot's private `_isPartiallyTyped`: true when no issue lies on or under any path,
// so a rule reads only values that already passed their own schema.
function settled(issues: Issues, paths: readonly (readonly PathKey[])[]): boolean {
  if (issues === undefined) return true;
  for (const path of paths) {
    for (const issue of issues) {
      const items = issue.path ?? [];
      const bound = Math.min(path.length, items.length);
      let apart = false;
      for (let i = 0; i < bound; i++) {
        const want = path[i];
        if (want !== "$" && want !== items[i]?.key) {
          apart = true;
          break;
        }
      }
      if (!apart) return false;
    }
  }
  return true;
}

function pathItems(
  root: unknown,
  keys: readonly PathKey[],
): [v.IssuePathItem, ...v.IssuePathItem[]] | undefined {
  const items: v.IssuePathItem[] = [];
  let input: unknown = root;
  for (const key of keys) {
    const value =
      input !== null && typeof input === "object" ? (input as Record<PathKey, unknown>)[key] : undefined;
    const item = Array.isArray(input)
      ? { type: "array" as const, origin: "value" as const, input, key: key as number, value }
      : {
          type: "object" as const,
          origin: "value" as const,
          input: input as Record<string, unknown>,
          key: `${key}`,
          value,
        };
    items.push(item);
    input = value;
  }
  return items.length === 0 ? undefined : (items as [v.IssuePathItem, ...v.IssuePathItem[]]);
}

function valueAt(root: unknown, keys: readonly PathKey[]): unknown {
  let value: unknown = root;
  for (const key of keys) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PathKey, unknown>)[key];
  }
  return value;
}

/**
 * A rule's check: returns problems (none when the rule holds). `valid(path)` tells whether the
 * value under `path` passed its own schema; a check reads only valid values, so one bad field
 * does not hide the problems of the others.
 */
export type Check<T> = (value: T, valid: (path: readonly PathKey[]) => boolean) => readonly Problem[];

/**
 * A cross-field rule that lands each problem on its own field (habit 5). Runs once the values
 * under `paths` are valid, even if other parts of the config are not, so every problem is
 * reported at once.
 */
function rule<T>(paths: readonly (readonly PathKey[])[], check: Check<T>): v.RawCheckAction<T> {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    // Unlike valibot's partialCheck, values that failed a validation (not only a type) are skipped too.
    const issues = dataset.issues as Issues;
    // An issue without a path means the value itself is not even an object: nothing to cross-check.
    if (issues?.some((issue) => (issue.path?.length ?? 0) === 0) || !settled(issues, paths)) return;
    const valid = (path: readonly PathKey[]) => settled(issues, [path]);
    for (const problem of check(dataset.value as T, valid)) {
      const path = pathItems(dataset.value, problem.path);
      const input = valueAt(dataset.value, problem.path);
      addIssue({
        message: `${problem.expected}, got ${problem.got ?? describeValue(input)}`,
        input,
        ...(path === undefined ? {} : { path }),
      });
    }
  });
}

/** `schema` followed by a cross-field rule over its output (see `rule`). */
export function checked<S extends v.GenericSchema>(
  schema: S,
  paths: readonly (readonly PathKey[])[],
  check: Check<v.InferOutput<S>>,
) {
  return v.pipe(schema, rule<v.InferOutput<S>>(paths, check));
}
