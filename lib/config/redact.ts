// Mask secrets before a config is printed, saved or fingerprinted. Pure.

export const REDACTED = "***redacted***";

// Names of fields and headers that hold credentials: server.api_key, tokenizer.token, header
// names such as Authorization or x-api-key, and anything called *token*, *secret*, *password*, *key*.
// "tokens" (as in max_tokens) counts tokens; it is not a token.
const secretName = /(token(?!s)|secret|passw(or)?d|key|authorization|credential|cookie)/i;
// …except names whose value is a header *name* or a file path, not the secret itself.
const notSecret = /(_header_key|_header|_path)$/i;

/** Whether a field or header with this name holds a secret. */
export function isSecretName(name: string): boolean {
  return secretName.test(name) && !notSecret.test(name);
}

// `http://user:pass@host` keeps the user name and host, hides the password.
function redactUrlPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^/@\s]+@/i, `$1:${REDACTED}@`);
}

/** A deep copy with every secret string replaced by "***redacted***". */
export function redact<T>(value: T): T {
  function walk(node: unknown, name: string | undefined): unknown {
    if (typeof node === "string") {
      if (node !== "" && name !== undefined && isSecretName(name)) return REDACTED;
      return redactUrlPassword(node);
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
