// `inferload doctor`: checks that this build can start Workers (also from the compiled binary) and
// prints the runtime facts.

import { availableParallelism } from "node:os";
import { defineCommand } from "citty";
import { ExitCode } from "../lib/cli/exit-codes.ts";
import { commit, version } from "../lib/cli/version.ts";
import { isCompiledBinary, runtimeVersion } from "../lib/runtime/index.ts";
import { workerUrl } from "../lib/runtime/worker-url.ts";

function pingWorker(timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const worker = new Worker(workerUrl("echo"), { type: "module" });
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new Error(`Worker did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    worker.onmessage = () => {
      clearTimeout(timer);
      worker.terminate();
      resolve(performance.now() - started);
    };
    worker.onerror = (event) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`Worker failed to start: ${event.message}`));
    };
    worker.postMessage("ping");
  });
}

export default defineCommand({
  meta: {
    name: "doctor",
    description: "Check that this build can start Workers here and print the runtime facts",
  },
  args: {},
  async run() {
    const lines = [
      `inferload ${version} (${commit()})`,
      `runtime: ${runtimeVersion()}${isCompiledBinary() ? " (compiled binary)" : ""}`,
      `cpus: ${availableParallelism()}`,
    ];
    try {
      const ms = await pingWorker(10_000);
      lines.push(`workers: ok (first message after ${ms.toFixed(1)} ms)`);
      process.stdout.write(`${lines.join("\n")}\n`);
      return ExitCode.ok;
    } catch (error) {
      lines.push(`workers: FAILED: ${error instanceof Error ? error.message : String(error)}`);
      process.stdout.write(`${lines.join("\n")}\n`);
      return ExitCode.failed;
    }
  },
});
