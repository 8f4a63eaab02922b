// Header names and values that would corrupt the request on the wire: CR or LF would end a header
// early (a value "k\r\nX-Injected: yes" adds a header), NUL and other control characters are refused
// by servers, and framing headers belong to the client. Checked before any load. Pure.
import { formatPath } from "./_path.ts";
import { isSecretName } from "./redact.ts";

/** RFC 9110 token characters: what a header name may hold. */
const tokenName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// Control characters but horizontal tab (RFC 9110 field values).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const control = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const charNames: Record<string, string> = {
  "\r": "a carriage return (CR)",
  "\n": "a line feed (LF)",
  "\0": "NUL",
};

/** Headers the client writes itself for each request; a second copy would contradict its framing. */
const framing: Record<string, string> = {
  "content-length": "the client sets Content-Length from each body",
  "transfer-encoding": "the client sends each body with Content-Length",
  connection: "the client keeps connections alive and closes them itself",
  "keep-alive": "the client keeps connections alive and closes them itself",
  upgrade: "the client speaks HTTP/1.1 only",
  "accept-encoding": "the client reads uncompressed responses only (it sends Accept-Encoding: identity)",
};

/** "a line feed (LF) at character 12", without the value itself (it may be a secret). */
function describeControl(value: string): string | null {
  const at = value.search(control);
  if (at < 0) return null;
  const char = value[at]!;
  const name = charNames[char] ?? `control character 0x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
  return `${name} at character ${at + 1}`;
}

/** What a value may be shown as in a message: secrets never. */
function shown(name: string, value: string): string {
  return isSecretName(name)
    ? "a value"
    : JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

export interface HeaderFindings {
  problems: string[];
  notes: string[];
}

export interface HeaderConfig {
  api: { headers: Readonly<Record<string, string>> | null };
  server: { api_key: string | null } | null;
  tokenizer: { token: string | null } | null;
}

/** Problems (refuse) and notes (say so, go on) for every header the config sends. */
export function headerFindings(config: HeaderConfig): HeaderFindings {
  const problems: string[] = [];
  const notes: string[] = [];
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(config.api.headers ?? {})) {
    const where = formatPath(["api", "headers", name]);
    const lower = name.toLowerCase();
    if (!tokenName.test(name)) {
      problems.push(
        `${where}: expected a header name of letters, digits and !#$%&'*+.^_\`|~-, got ${JSON.stringify(name)}`,
      );
      continue;
    }
    const bad = describeControl(value);
    if (bad !== null)
      problems.push(
        `${where}: expected a value without control characters, got ${shown(name, value)} with ${bad}`,
      );
    const reason = framing[lower];
    if (reason !== undefined) problems.push(`${where}: expected no ${name} header: ${reason}`);
    const earlier = seen.get(lower);
    if (earlier !== undefined) {
      problems.push(`${where}: expected each header once, got it also as "${earlier}" (names ignore case)`);
    }
    seen.set(lower, name);
    if (lower === "host") notes.push(`${where} replaces the Host header taken from server.base_url`);
  }
  for (const [path, value] of [
    [["server", "api_key"], config.server?.api_key ?? null],
    [["tokenizer", "token"], config.tokenizer?.token ?? null],
  ] as const) {
    const bad = value === null ? null : describeControl(value);
    if (bad !== null)
      problems.push(
        `${formatPath(path)}: expected a value without control characters, got a value with ${bad}`,
      );
  }
  return { problems, notes };
}

/**
 * A value read from a file (a YAML block scalar, an environment variable filled from a secret file)
 * usually ends in one newline that is not part of it: drop exactly one.
 */
export function trimFileNewline(value: string): string {
  if (value.endsWith("\r\n")) return value.slice(0, -2);
  return value.endsWith("\n") ? value.slice(0, -1) : value;
}
