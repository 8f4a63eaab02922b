// Read a config file and parse it by extension (YAML, JSON or TOML, via confbox). The only
// file I/O of config loading; syntax errors carry line and column.
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parseJSON, parseTOML, parseYAML } from "confbox";
import { fileErrorReason, UserError } from "../cli/errors.ts";
import { jsonErrorPosition } from "./_json-position.ts";

export type ConfigFormat = "yaml" | "json" | "toml";

const formats: Record<string, ConfigFormat> = {
  ".yaml": "yaml",
  ".yml": "yaml",
  ".json": "json",
  ".toml": "toml",
};

/** The format for a file name, or a UserError for an extension we cannot read. */
export function formatOf(path: string): ConfigFormat {
  const format = formats[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new UserError(
      `Cannot read config "${path}": unknown file extension "${extname(path)}" (expected .yaml, .yml, .json or .toml)`,
    );
  }
  return format;
}

/** The file's text; a UserError naming the file when it cannot be read. */
export async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new UserError(`Cannot read config "${path}": ${fileErrorReason(error)}`, { cause: error });
  }
}

type Position = { line: number; column: number };

// confbox throws js-yaml errors (0-based `mark`) and smol-toml errors (1-based own `line`/`column`).
// Own properties only: Bun also puts `line`/`column` of the throwing JS frame on every error.
function positionOf(error: unknown, format: ConfigFormat): Position | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const mark = (error as { mark?: { line?: unknown; column?: unknown } }).mark;
  if (typeof mark?.line === "number" && typeof mark.column === "number") {
    return { line: mark.line + 1, column: mark.column + 1 };
  }
  if (format === "toml" && Object.hasOwn(error, "line") && Object.hasOwn(error, "column")) {
    const { line, column } = error as { line: unknown; column: unknown };
    if (typeof line === "number" && typeof column === "number") return { line, column };
  }
  return undefined;
}

function firstLine(error: unknown): string {
  const message =
    error instanceof Error ? ((error as { reason?: string }).reason ?? error.message) : String(error);
  return (message.split("\n")[0] ?? "")
    .replace(/\s*\(\d+:\d+\)$/, "")
    .replace(/^Invalid TOML document: /, "")
    .replace(/^JSON Parse error: /, "");
}

function parseAs(format: ConfigFormat, text: string): unknown {
  if (format === "yaml") return parseYAML(text);
  if (format === "toml") return parseTOML(text);
  return parseJSON(text);
}

// A file holding only blanks and comments would parse as null (YAML) or {} (TOML); both mean
// the user pointed at the wrong file.
function isBlank(text: string, format: ConfigFormat): boolean {
  return text.split("\n").every((line) => {
    const t = line.trim();
    return t === "" || (format !== "json" && t.startsWith("#")) || (format === "yaml" && t === "---");
  });
}

/** Parse config text by format; syntax errors become a UserError with line and column. */
export function parseConfigText(text: string, path: string, format: ConfigFormat = formatOf(path)): unknown {
  if (isBlank(text, format)) throw new UserError(`Cannot read config "${path}": the file is empty`);
  try {
    return parseAs(format, text);
  } catch (error) {
    // Bun's JSON.parse reports no position, so JSON errors are located by our own scanner.
    const position = format === "json" ? jsonErrorPosition(text) : positionOf(error, format);
    const where = position === undefined ? "" : ` at line ${position.line}, column ${position.column}`;
    throw new UserError(`Cannot parse config "${path}": ${firstLine(error)}${where}`, {
      cause: error,
    });
  }
}
