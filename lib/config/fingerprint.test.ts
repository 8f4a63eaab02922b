import { expect, test } from "bun:test";
import { hash } from "ohash";
import { stableHash } from "./fingerprint.ts";

test.each([
  [
    "a config-like object",
    { api: { type: "chat", streaming: true }, load: { stages: [{ rate: 2, duration: 5 }] } },
  ],
  [
    "a list of stage sequences",
    [
      [0, "9a3f", ["1c", "2d"]],
      [1, "closed-loop", ["3e"]],
    ],
  ],
  ["a string with non-ASCII text", "héllo 日本語"],
  ["null", null],
])("stableHash() of %s is ohash's hash()", (_name, value) => {
  expect(stableHash(value)).toBe(hash(value));
});
