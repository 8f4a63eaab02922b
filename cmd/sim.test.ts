import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { UserError } from "../lib/cli/errors.ts";
import { simDefaults } from "../lib/sim/options.ts";
import { simOptionsFromArgs } from "./_sim-args.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

describe("simOptionsFromArgs()", () => {
  test("gives the defaults for no flags", () => {
    expect(simOptionsFromArgs({})).toEqual(simDefaults);
  });

  test("maps every flag onto the options", () => {
    const options = simOptionsFromArgs({
      port: "0",
      lora: "a, b",
      maxNumSeqs: "4",
      itlMs: "2.5",
      "fail-503": "0.25",
      cutRate: "0.1",
      faultAfter: "7",
      closeConnection: true,
      truthLog: "/tmp/t.jsonl",
    });
    expect(options).toMatchObject({
      port: 0,
      loras: ["a", "b"],
      maxNumSeqs: 4,
      itlMs: 2.5,
      truthLogPath: "/tmp/t.jsonl",
    });
    expect(options.faults).toMatchObject({
      rate503: 0.25,
      cutRate: 0.1,
      afterTokens: 7,
      closeConnection: true,
    });
  });

  test("lists every bad value in one UserError", () => {
    try {
      simOptionsFromArgs({ maxNumSeqs: "0", "fail-429": "1.5", itlMs: "-1" });
      throw new Error("expected a UserError");
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      const details = (error as UserError).details.join("\n");
      expect(details).toContain("--max-num-seqs: expected an integer >= 1, got 0");
      expect(details).toContain("--fail-429: expected a fraction from 0 to 1, got 1.5");
      expect(details).toContain("--itl-ms: expected a number >= 0, got -1");
    }
    expect(() => simOptionsFromArgs({ port: "eighty" })).toThrow(UserError);
    try {
      simOptionsFromArgs({ port: "eighty" });
    } catch (error) {
      expect((error as UserError).details).toEqual(['--port: expected a number, got "eighty"']);
    }
  });
});

/** Run `inferload sim` as a process; resolve with the URL it prints, or null if it exits first. */
function spawnSim(port: number) {
  const child = spawn(process.execPath, [MAIN, "sim", "--port", String(port), "--itl-ms", "1"], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = new Promise<string | null>((resolve) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0] as string);
    });
    exited.then(() => resolve(null));
  });
  return { child, url, exited };
}

test("inferload sim prints its URL, serves requests, and exits 0 on SIGTERM", async () => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const { child, url, exited } = spawnSim(port);
    const printed = await Promise.race([url, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    if (printed === null) {
      child.kill("SIGKILL");
      await exited;
      continue; // port taken (or slow start): try another
    }
    try {
      expect(printed).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${printed}/health`)).status).toBe(200);
      const res = await fetch(`${printed}/v1/completions`, {
        method: "POST",
        headers: { contentType: "application/json" },
        body: JSON.stringify({ prompt: "hi", max_tokens: 3, ignore_eos: true }),
      });
      expect((await res.json()).usage.completion_tokens).toBe(3);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    return;
  }
  throw new Error("inferload sim did not start on any of 5 ports");
});
