import { afterEach, describe, expect, test } from "bun:test";
import { lineOf, log, safeLogText } from "./log.ts";
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

  test("prints every line when it is logged, the same line repeated too", () => {
    const out = stderrOf(() => {
      for (let i = 0; i < 8; i++) log.error("Invalid config: the same problem");
    });
    expect(out.split("\n").filter((line) => line.endsWith("the same problem"))).toHaveLength(8);
  });

  test("safeLogText() keeps our own line breaks and masks URL passwords", () => {
    expect(safeLogText("Waiting for http://admin:hunter2@h:1\n  detail\r")).toBe(
      `Waiting for http://admin:${REDACTED}@h:1\n  detail\\r`,
    );
  });
});

describe("lineOf()", () => {
  test.each([
    ["warn", false, "[warn] slow\n"],
    ["info", false, "[info] slow\n"],
    ["warn", true, "\x1b[33m⚠\x1b[0m slow\n"],
    ["error", true, "\x1b[31m✖\x1b[0m slow\n"],
  ])("formats a %s line (colour %p) as %j", (type, color, line) => {
    expect(lineOf({ type: type as never, args: ["slow"] }, color)).toBe(line);
  });

  test("writes an Error's stack, other values as text, all through the gate", () => {
    rememberSecrets(["sk-1234567890"]);
    const error = new Error("key sk-1234567890 refused");
    expect(lineOf({ type: "error", args: [error, 3] }, false)).toStartWith(
      `[error] Error: key ${REDACTED} refused\n`,
    );
    expect(lineOf({ type: "error", args: [error, 3] }, false)).toEndWith(" 3\n");
  });
});
