// Which values of a config are secrets, and masking them before a config is printed, saved or
// fingerprinted. Pure: the secrets are passed in (the process's list in lib/cli/secrets.ts by default).
import { knownSecrets, maskSecrets, REDACTED } from "../cli/secrets.ts";

export { REDACTED };

// Names of fields and headers that hold credentials: server.api_key, tokenizer.token, header
// names such as Authorization, X-Custom-Auth or x-api-key, and anything called *token*, *secret*,
// *password*, *key*, *auth*, *credential*, *cookie*. "tokens" (as in max_tokens) counts tokens.
const secretName = /(token(?!s)|secret|passw(or)?d|key|auth|credential|cookie)/i;
// …except names whose value is a header *name* or a file path, not the secret itself.
const notSecret = /(_header_key|_header|_path)$/i;

/** Whether a field or header with this name holds a secret. */
export function isSecretName(name: string): boolean {
  return secretName.test(name) && !notSecret.test(name);
}

/**
 * Every secret value of a parsed or resolved config: values of secret-named fields and headers,
 * URL passwords, and `fromEnv`, the values `${VAR}` references put in (whatever field they went to).
 */
export function secretsOf(config: unknown, fromEnv: readonly string[] = []): string[] {
  const found = new Set(fromEnv.filter((value) => value !== ""));
  function walk(node: unknown, name: string | undefined): void {
    if (typeof node === "string") {
      if (node === "") return;
      if (name !== undefined && isSecretName(name)) found.add(node);
      for (const match of node.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:([^/@\s]+)@/gi))
        found.add(match[1]!);
    } else if (Array.isArray(node)) {
      for (const item of node) walk(item, undefined);
    } else if (node !== null && typeof node === "object") {
      for (const [key, item] of Object.entries(node)) walk(item, key);
    }
  }
  walk(config, undefined);
  return [...found];
}

/**
 * A deep copy with every secret masked: values of secret-named fields and values equal to a listed
 * secret become "***redacted***"; listed secrets and URL passwords inside other strings are masked.
 */
export function redact<T>(value: T, secrets: readonly string[] = knownSecrets()): T {
  const exact = new Set(secrets);
  function walk(node: unknown, name: string | undefined): unknown {
    if (typeof node === "string") {
      if (node === "") return node;
      if ((name !== undefined && isSecretName(name)) || exact.has(node)) return REDACTED;
      return maskSecrets(node, secrets);
    }
    if (Array.isArray(node)) return node.map((item) => walk(item, undefined));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = walk(item, key);
      return out;
    }
    return node;
  }
  return walk(value, undefined) as T;
}
