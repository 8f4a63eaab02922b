// `inferload validate -c CONFIG [--set path=value ...] [--threshold expr ...]`: print the resolved,
// redacted config as YAML on stdout (exit 0), or every problem (exit 2): the schema's, the thresholds',
// and every check `run` makes before sending that needs no network (URLs, bounds, headers, files,
// report folder, support).
import { defineCommand } from "citty";
import { UserError } from "../lib/cli/errors.ts";
import { ExitCode } from "../lib/cli/exit-codes.ts";
import { extractSetOverrides } from "../lib/cli/flags.ts";
import { log } from "../lib/cli/log.ts";
import { rememberSecrets } from "../lib/cli/secrets.ts";
import { refusal } from "../lib/config/preflight.ts";
import { printConfig } from "../lib/config/print.ts";
import { loadBreakerExpressions } from "../lib/run/circuit-breaker.ts";
import { preflightProblems } from "../lib/run/preflight.ts";
import { configArgs, thresholdArgs } from "./_args.ts";
import { loadCommandConfig } from "./_load-config.ts";
import { thresholdsOf } from "./_thresholds.ts";

export default defineCommand({
  meta: {
    name: "validate",
    description:
      "Check a config as `run` would before sending (schema, URLs, bounds, headers, files, report folder) and print it fully resolved (defaults filled in, secrets redacted)",
  },
  args: { ...configArgs, ...thresholdArgs },
  async run({ args, rawArgs }) {
    if (args.config === undefined || args.config === "") {
      throw new UserError("Missing config: expected -c CONFIG (a YAML, JSON or TOML file; - for stdin)");
    }
    const loaded = await loadCommandConfig(args.config, extractSetOverrides(rawArgs));
    rememberSecrets(loaded.secrets);
    thresholdsOf(loaded.config, rawArgs);
    await loadBreakerExpressions(loaded.config);
    const { problems, notes } = preflightProblems(loaded.config, { autoReportPath: loaded.autoReportPath });
    if (problems.length > 0) throw refusal(args.config, problems, { validate: true });
    for (const note of notes) log.warn(note);
    process.stdout.write(printConfig(loaded.config, loaded.secrets));
    return ExitCode.ok;
  },
});
