// Flag groups shared by several commands, spread into each command's args.
import type { ArgsDef } from "citty";

export const configArgs = {
  config: {
    type: "string",
    alias: "c",
    description: "Config file (YAML, JSON or TOML, inference-perf schema)",
  },
  set: {
    type: "string",
    alias: "s",
    description: "Override a config value, e.g. --set load.stages[0].rate=200 (repeatable)",
    valueHint: "path=value",
  },
} as const satisfies ArgsDef;

export const outputArgs = {
  json: { type: "boolean", description: "Print the summary report as JSON on stdout (logs go to stderr)" },
  quiet: { type: "boolean", alias: "q", description: "Print only warnings, errors and --json output" },
  outputDir: { type: "string", description: "Report directory (overrides storage.local_storage.path)" },
} as const satisfies ArgsDef;

export const markersArgs = {
  markers: {
    type: "boolean",
    description:
      "Print inference-perf's === START_SUMMARY === / === START_STAGE_N === blocks on stdout, for tools that scrape them",
  },
} as const satisfies ArgsDef;
