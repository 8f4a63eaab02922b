// `inferload validate -c CONFIG [--set path=value ...]`: print the resolved, redacted config as
// YAML on stdout (exit 0), or every problem (exit 2).
import { availableParallelism } from "node:os";
import { defineCommand } from "citty";
import { UserError } from "../lib/cli/errors.ts";
import { ExitCode } from "../lib/cli/exit-codes.ts";
import { extractSetOverrides } from "../lib/cli/flags.ts";
import { loadConfig } from "../lib/config/load.ts";
import { printConfig } from "../lib/config/print.ts";
import { configArgs } from "./_args.ts";

export default defineCommand({
  meta: {
    name: "validate",
    description: "Check a config and print it fully resolved (defaults filled in, secrets redacted)",
  },
  args: { ...configArgs },
  async run({ args, rawArgs }) {
    if (args.config === undefined || args.config === "") {
      throw new UserError("Missing config: expected -c CONFIG (a YAML, JSON or TOML file)");
    }
    const { config } = await loadConfig({
      path: args.config,
      overrides: extractSetOverrides(rawArgs),
      env: process.env,
      cpuCount: availableParallelism(),
      now: new Date(),
    });
    process.stdout.write(printConfig(config));
    return ExitCode.ok;
  },
});
