import { afterEach, describe, expect, test } from "bun:test";
import { forgetSecrets, knownSecrets, maskSecrets, REDACTED, rememberSecrets } from "./secrets.ts";

afterEach(() => forgetSecrets());

describe("maskSecrets()", () => {
  test.each([
    ["Waiting for http://admin:PASSWORD@h:8000", `Waiting for http://admin:${REDACTED}@h:8000`],
    ["two https://a:b@x and http://c:d@y", `two https://a:${REDACTED}@x and http://c:${REDACTED}@y`],
    ["no password http://admin@h", "no password http://admin@h"],
    ["Incorrect API key provided: sk-live-123456789", `Incorrect API key provided: ${REDACTED}`],
    ["short ones stay: abc", "short ones stay: abc"],
  ])("masks %j", (text, masked) => {
    expect(maskSecrets(text, ["sk-live-123456789", "abc"])).toBe(masked);
  });

  test("masks a secret that contains another one whole", () => {
    rememberSecrets(["12345678", "key-12345678"]);
    expect(maskSecrets("got key-12345678 and 12345678")).toBe(`got ${REDACTED} and ${REDACTED}`);
  });
});

describe("rememberSecrets()", () => {
  test("keeps each value once, longest first, and ignores empty strings", () => {
    rememberSecrets(["bb", "", "aaaa"]);
    rememberSecrets(["bb", "c"]);
    expect(knownSecrets()).toEqual(["aaaa", "bb", "c"]);
  });
});
