// Read a config file and parse it by extension (YAML, JSON or TOML, via confbox), or standard input
// (`-c -`) by its content. The only file I/O of config loading; syntax errors carry line and column. Size, YAML aliases and JSON
// nesting are bounded here (limits.ts), before the parser can be made to do unbounded work.
// The YAML and TOML parsers are imported when a config of theirs is read: js-yaml and smol-toml take
// milliseconds of a run's start to evaluate, which a config in another format need not pay
// (docs/PERFORMANCE.md "Start-up").
import { Buffer } from "node:buffer";
import { readFileSync, rmdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, extname } from "node:path";
import { fileErrorReason, UserError } from "../cli/errors.ts";
import { jsonErrorPosition } from "./_json-position.ts";
import {
  jsonTooDeep,
  MAX_CONFIG_BYTES,
  MAX_CONFIG_DEPTH,
  MAX_CONFIG_SEPARATORS,
  MAX_YAML_ALIASES,
  tooManySeparators,
} from "./limits.ts";

export type ConfigFormat = "yaml" | "json" | "toml";

const formats: Record<string, ConfigFormat> = {
  ".yaml": "yaml",
  ".yml": "yaml",
  ".json": "json",
  ".toml": "toml",
};

/** The path that means standard input (`-c -`). */
export const STDIN = "-";

/** How messages name the config: its path, quoted, or standard input. */
export function label(path: string): string {
  return path === STDIN ? '"-" (standard input)' : `"${path}"`;
}

/**
 * Text with no file name to go by: a JSON object starts with "{"; TOML's first line is a `[table]`
 * header or a `key = value`; anything else is YAML (which also reads flow-style JSON).
 */
export function formatOfText(text: string): ConfigFormat {
  const first = text
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line !== "" && !line.startsWith("#") && line !== "---");
  if (first === undefined) return "yaml";
  if (first.startsWith("{")) return "json";
  if (/^\[\[?[\w."' -]+\]\]?\s*(#.*)?$/.test(first) || /^[\w."'-]+\s*=/.test(first)) return "toml";
  return "yaml";
}

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

/**
 * The file's text (standard input for "-"); a UserError naming the file when it cannot be read. A file
 * is read synchronously: it is small and bounded, and awaiting the read would hand the CPU to the
 * Workers starting alongside while the run waits on its config (docs/PERFORMANCE.md "Start-up").
 */
export async function readConfigText(path: string, maxBytes = MAX_CONFIG_BYTES): Promise<string> {
  if (path === STDIN) return readStdin(maxBytes);
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new UserError(`Cannot read config "${path}": ${fileErrorReason(error)}`, { cause: error });
  }
  if (size > maxBytes) {
    throw new UserError(
      `Cannot read config "${path}": the file is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} a config may be`,
    );
  }
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UserError(`Cannot read config "${path}": ${fileErrorReason(error)}`, { cause: error });
  }
}

/**
 * A run that starts itself again after reading its config from standard input (lib/run/
 * allocator-relaunch.ts) cannot read it twice: it hands the text over in a file of its own temporary
 * folder (mode 0600), named by this variable, which the new process reads and removes.
 */
export const STDIN_HANDOFF_ENV = "INFERLOAD_STDIN_CONFIG_FILE";

/** The folder prefix of a handover file: only a file in such a folder is ever removed. */
export const STDIN_HANDOFF_PREFIX = "inferload-stdin-";

/** Removes a handover file and its folder (never anything a user could have named by mistake). */
export function removeHandoff(file: string): void {
  const folder = dirname(file);
  if (!basename(folder).startsWith(STDIN_HANDOFF_PREFIX)) return;
  rmSync(file, { force: true });
  try {
    rmdirSync(folder);
  } catch {
    // Not empty or already gone: left for the system's temporary-file cleaning.
  }
}

/** What this process read from standard input as its config, if it did. */
let stdinText: string | undefined;

/** The config text this process read from standard input, for a handover; undefined when none. */
export function configTextFromStdin(): string | undefined {
  return stdinText;
}

/** Standard input to its end, bounded as a file is; or the text a relaunch handed over. */
async function readStdin(maxBytes: number): Promise<string> {
  const handoff = process.env[STDIN_HANDOFF_ENV];
  if (handoff !== undefined) {
    // Not inherited by anything this run starts, and read once.
    delete process.env[STDIN_HANDOFF_ENV];
    try {
      stdinText = readFileSync(handoff, "utf8");
    } catch (error) {
      throw new UserError(`Cannot read config ${label(STDIN)}: ${fileErrorReason(error)}`, { cause: error });
    } finally {
      removeHandoff(handoff);
    }
    return stdinText;
  }
  if (process.stdin.isTTY) {
    throw new UserError(
      'Cannot read config from standard input: it is a terminal (pipe a config into "-c -")',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const bytes = Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > maxBytes) {
      throw new UserError(
        `Cannot read config ${label(STDIN)}: more than the ${formatBytes(maxBytes)} a config may be`,
      );
    }
    chunks.push(bytes);
  }
  stdinText = Buffer.concat(chunks).toString("utf8");
  return stdinText;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${bytes} bytes`;
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
    .replace(/^aliases exceeded maxAliases \((\d+)\)$/, "more than $1 YAML aliases (*name)")
    .replace(/^nesting exceeded maxDepth \((\d+)\)$/, "nested more than $1 levels deep")
    .replace(/^Invalid TOML document: /, "")
    .replace(/^JSON Parse error: /, "");
}

/** The parser of a format, its module imported on first use. */
async function parserOf(format: ConfigFormat): Promise<(text: string) => unknown> {
  if (format === "yaml") {
    const { parseYAML } = await import("confbox/yaml");
    // js-yaml bounds nesting itself (maxDepth); aliases are refused past a count, since each one can
    // stand for a whole subtree (limits.ts then bounds the expanded size).
    return (text) => parseYAML(text, { maxAliases: MAX_YAML_ALIASES, maxDepth: MAX_CONFIG_DEPTH });
  }
  if (format === "toml") return (await import("confbox/toml")).parseTOML;
  // The runtime's own parser, as confbox's parseJSON (which adds only the formatting a rewrite of the
  // file would keep, and would cost a run's start its module) after dropping a byte-order mark.
  return (text) => JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
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
export async function parseConfigText(
  text: string,
  path: string,
  format: ConfigFormat = path === STDIN ? formatOfText(text) : formatOf(path),
): Promise<unknown> {
  const name = label(path);
  if (isBlank(text, format)) throw new UserError(`Cannot read config ${name}: the file is empty`);
  if (tooManySeparators(text)) {
    throw new UserError(
      `Cannot read config ${name}: more than ${MAX_CONFIG_SEPARATORS} lines and commas (a config holds a few hundred values)`,
    );
  }
  const deep = format === "json" ? jsonTooDeep(text) : undefined;
  if (deep !== undefined) {
    throw new UserError(
      `Cannot read config ${name}: nested more than ${MAX_CONFIG_DEPTH} levels deep at line ${deep.line}, column ${deep.column}`,
    );
  }
  const parse = await parserOf(format);
  try {
    return parse(text);
  } catch (error) {
    // Bun's JSON.parse reports no position, so JSON errors are located by our own scanner.
    const position = format === "json" ? jsonErrorPosition(text) : positionOf(error, format);
    const where = position === undefined ? "" : ` at line ${position.line}, column ${position.column}`;
    throw new UserError(`Cannot parse config ${name}: ${firstLine(error)}${where}`, {
      cause: error,
    });
  }
}
