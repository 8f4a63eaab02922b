import { afterEach, describe, expect, test } from "bun:test";
import { log, safeLogText } from "./log.ts";
import { forgetSecrets, REDACTED, rememberSecrets } from "./secrets.ts";

afterEach(() => forgetSecrets());

/** What `fn` writes on stderr (the logger's only stream). */
function stderrOf(fn: () => void): string {
  const original = process.stderr.write.bind(process.stderr);
  let out = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = original;
  }
  return out;
}

describe("log", () => {
  test("prints registered secrets masked and control characters escaped", () => {
    rememberSecrets(["sk-live-0123456789"]);
    const out = stderrOf(() => log.error("Server said: bad key sk-live-0123456789\x1b[2J\nnext line"));
    expect(out).toContain(`bad key ${REDACTED}\\x1b[2J`);
    expect(out).not.toContain("sk-live-0123456789");
    expect(out).not.toContain("\x1b[2J");
    expect(out).toContain("\nnext line");
  });

  test("safeLogText() keeps our own line breaks and masks URL passwords", () => {
    expect(safeLogText("Waiting for http://admin:hunter2@h:1\n  detail\r")).toBe(
      `Waiting for http://admin:${REDACTED}@h:1\n  detail\\r`,
    );
  });
});
