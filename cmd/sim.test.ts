import { describe, expect, spyOn, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "citty";
import { UserError } from "../lib/cli/errors.ts";
import { checkSwitchValues, checkUnknownFlags } from "../lib/cli/flags.ts";
import { log } from "../lib/cli/log.ts";
import { kernelHonoursSlices, sliceNsOf } from "../lib/runtime/thread-slice.testing.ts";
import { SHORT_SLICE_NS } from "../lib/runtime/thread-slice.ts";
import { type SimOptionKey, simDefaults, simOptionKeys, simOptionTable } from "../lib/sim/options.ts";
import { describeOption, shownDefault, simArgs, simFlag, simOptionsFromArgs } from "./_sim-args.ts";
import { runCli } from "./main.ts";

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

describe("the option table drives `inferload sim`", () => {
  test("--help shows every option as a kebab-case flag, with its description and default", () => {
    const help = spawnSync(process.execPath, [MAIN, "sim", "--help"], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 20_000,
    });
    expect(help.status).toBe(0);
    const lines = help.stdout.split("\n").filter((line) => /^\s+--/.test(line));
    expect(lines).toHaveLength(simOptionKeys.length);
    for (const key of simOptionKeys) {
      const row = simOptionTable[key];
      const line = lines.find((l) => new RegExp(`^\\s*${simFlag(key)}[= ]`).test(l));
      const shown = line?.replace(/^\s*\S+\s+/, "");
      const fallback = shownDefault(row);
      expect(shown).toBe(
        fallback === undefined ? describeOption(row) : `${describeOption(row)} (Default: ${fallback})`,
      );
    }
  });

  // One bad value per option; Record<SimOptionKey, …> makes a new option without one a type error.
  const bad: Record<SimOptionKey, string[]> = {
    host: ["--host="],
    port: ["--port", "70000"],
    model: ["--model="],
    lora: ["--lora", "a,a"],
    maxNumSeqs: ["--max-num-seqs", "0"],
    maxModelLen: ["--max-model-len", "1"],
    promptCount: ["--prompt-count", "bytes"],
    prefillMs: ["--prefill-ms", "-1"],
    prefillMsPerToken: ["--prefill-ms-per-token", "-0.5"],
    itlMs: ["--itl-ms", "-1"],
    itlGrowth: ["--itl-growth", "-1"],
    itlJitter: ["--itl-jitter", "-1"],
    outputLenMean: ["--output-len-mean", "0.5"],
    limitMmPerPrompt: ["--limit-mm-per-prompt", '{"picture":1}'],
    kvCacheTokens: ["--kv-cache-tokens", "0"],
    seed: ["--seed", "1.5"],
    fail429: ["--fail-429", "1.5"],
    fail500: ["--fail-500", "-0.1"],
    fail503: ["--fail-503", "2"],
    cutRate: ["--cut-rate", "1.01"],
    malformedRate: ["--malformed-rate", "-1"],
    errorEventRate: ["--error-event-rate", "3"],
    dropRate: ["--drop-rate", "-0.5"],
    faultAfter: ["--fault-after", "2.5"],
    headersDelayMs: ["--headers-delay-ms", "-5"],
    disablePrefixCaching: ["--disable-prefix-caching=maybe"],
    closeConnection: ["--close-connection=maybe"],
    truthLog: ["--truth-log="],
    metricsStyle: ["--metrics-style", "triton"],
  };

  /** The steps runCli takes before starting the simulator: the error, if any, they throw. */
  function rejection(argv: string[]): string {
    try {
      checkUnknownFlags(argv, simArgs);
      checkSwitchValues(argv, simArgs);
      simOptionsFromArgs(parseArgs(argv, simArgs));
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      return [(error as UserError).message, ...(error as UserError).details].join("\n");
    }
    return "accepted";
  }

  test.each(simOptionKeys.map((key) => [simFlag(key), key] as const))(
    "a bad %s is refused with the flag named, exit 2",
    async (_, key) => {
      const argv = bad[key];
      // Checked without starting anything first, so a value that wrongly passes cannot start a server.
      expect(rejection(argv)).toContain(simFlag(key));
      expect(rejection(argv)).toMatch(/expected .*got/);
      const quiet = spyOn(log, "error").mockImplementation(Object.assign(() => {}, { raw: () => {} }));
      try {
        expect(await runCli(["sim", ...argv])).toBe(2);
      } finally {
        quiet.mockRestore();
      }
    },
  );
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

test("inferload sim prints its URL, serves requests on a thread with a short scheduler slice, and exits 0 on SIGTERM", async () => {
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
      // Its serving thread (the main thread) stamps the truth log: it asked for a short slice.
      if (kernelHonoursSlices()) expect(sliceNsOf(`${child.pid}/task/${child.pid}`)).toBe(SHORT_SLICE_NS);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    return;
  }
  throw new Error("inferload sim did not start on any of 5 ports");
});
