// Reading ordinary token chunks without JSON.parse. Pure.
//
// A server streams hundreds of chunks that differ only in the token text: vLLM's
//   {"id":"cmpl-1",…,"choices":[{"index":0,"text":" fox","logprobs":null,"finish_reason":null}]}
// After one such chunk has been parsed in full, we cut its single token string literal out and keep
// what is left as a template: `prefix` (everything before the literal's opening quote) and `suffix`
// (everything after its closing quote). A later payload equal to prefix + "…" + suffix, where the
// middle is a plain JSON string literal (no quote, backslash or control character inside), is the
// template with one string replaced by another string, so JSON.parse would give the same tree with
// only that value changed, and the reader's outcome (token event iff the string is non-empty, text =
// the string) follows without parsing. Anything else (new keys, a usage or error object, escapes,
// whitespace that differs, broken JSON) does not match and is parsed in full.
//
// Why the literal found in the template is the one the reader used: the template payload has no
// backslash, so every string literal in it is spelled exactly as its value, and the used text's
// literal `"text"` must occur in it; we require that it occurs exactly once (so a duplicate key, the
// same text in another field, or a match straddling two strings is refused).

export interface ChunkTemplate {
  prefix: string;
  suffix: string;
}

const quote = 34;
const backslash = 92;

/**
 * The template of a fully parsed payload whose only output was the string `text`, or null when the
 * payload cannot serve as one (escapes anywhere, or the literal is not unique).
 */
export function learnTemplate(payload: string, text: string): ChunkTemplate | null {
  if (payload.indexOf("\\") !== -1) return null;
  const literal = `"${text}"`;
  const at = payload.indexOf(literal);
  if (at === -1 || payload.indexOf(literal, at + 1) !== -1) return null;
  return { prefix: payload.slice(0, at), suffix: payload.slice(at + literal.length) };
}

/** The token text when `payload` is the template with another plain string literal; else null. */
export function matchTemplate(template: ChunkTemplate, payload: string): string | null {
  const { prefix, suffix } = template;
  const start = prefix.length;
  const end = payload.length - suffix.length - 1; // index of the closing quote
  if (end <= start || payload.charCodeAt(start) !== quote || payload.charCodeAt(end) !== quote) return null;
  for (let i = start + 1; i < end; i++) {
    const code = payload.charCodeAt(i);
    if (code === quote || code === backslash || code < 0x20) return null;
  }
  if (!payload.startsWith(prefix) || !payload.endsWith(suffix)) return null;
  return payload.slice(start + 1, end);
}
