// `inferload sim`: serve the built-in OpenAI-compatible simulator until SIGINT/SIGTERM.
// Prints the URL on stdout (data), everything else on stderr.
import { defineCommand } from "citty";
import { UserError } from "../lib/cli/errors.ts";
import { ExitCode } from "../lib/cli/exit-codes.ts";
import { log } from "../lib/cli/log.ts";
import { requestShortSlice } from "../lib/runtime/thread-slice.ts";
import { startSim } from "../lib/sim/start.ts";
import { simArgs, simOptionsFromArgs } from "./_sim-args.ts";

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (name: string) => () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(name);
    };
    const onInt = on("SIGINT");
    const onTerm = on("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
}

export default defineCommand({
  meta: {
    name: "sim",
    description: "Serve a simulated OpenAI-compatible LLM server (vLLM-like latency and metrics)",
  },
  args: simArgs,
  async run({ args }) {
    const options = simOptionsFromArgs(args);
    // This thread serves and stamps the truth log: on a shared core it should run as soon as a
    // request's bytes arrive, not after another thread's slice (lib/runtime/thread-slice.ts).
    await requestShortSlice();
    const sim = await startSim(options).catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      const why =
        code === "EADDRINUSE"
          ? "address already in use"
          : error instanceof Error
            ? error.message
            : String(error);
      throw new UserError(`Cannot listen on ${options.host}:${options.port}: ${why}`);
    });
    process.stdout.write(`${sim.url}\n`);
    log.info(
      `Simulating "${options.model}"${options.loras.length > 0 ? ` + ${options.loras.length} LoRA` : ""} at ${sim.url}: ` +
        `${options.maxNumSeqs} slots, prefill ${options.prefillMs} ms + ${options.prefillMsPerToken} ms/token, ITL ${options.itlMs} ms`,
    );
    const signal = await untilSignal();
    log.info(`${signal}: stopping the simulator`);
    await sim.stop();
    return ExitCode.ok;
  },
});
