// Flag groups shared by several commands, spread into each command's args.
import type { ArgsDef } from "citty";

export const configArgs = {
  config: {
    type: "string",
    alias: "c",
    description: "Config file (YAML, JSON or TOML, inference-perf schema); - reads it from stdin",
  },
  set: {
    type: "string",
    alias: "s",
    description: "Override a config value, e.g. --set load.stages[0].rate=200 (repeatable)",
    valueHint: "path=value",
  },
} as const satisfies ArgsDef;

export const outputArgs = {
  json: {
    type: "boolean",
    description: "Print the results as one JSON object on stdout instead of the table (logs go to stderr)",
  },
  quiet: {
    type: "boolean",
    alias: "q",
    description: "No logs but warnings and errors; results and where the reports went are still printed",
  },
  outputDir: { type: "string", description: "Report directory (overrides storage.local_storage.path)" },
} as const satisfies ArgsDef;

export const markersArgs = {
  markers: {
    type: "boolean",
    description:
      "Print inference-perf's === START_SUMMARY === / === START_STAGE_N === blocks on stdout, for tools that scrape them",
  },
} as const satisfies ArgsDef;

export const thresholdArgs = {
  threshold: {
    type: "string",
    description:
      "Exit 3 unless this holds for the run and every stage, e.g. --threshold 'ttft.p99 < 500ms' (repeatable; adds to the config's thresholds)",
    valueHint: "expr",
  },
} as const satisfies ArgsDef;
