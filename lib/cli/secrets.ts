// Masking secrets in free text (log lines, error messages, a server's echo of the key it refused),
// and the process's list of secrets to mask: the config loader finds them, the command registers
// them once, and every line the logger prints and every saved error message passes through here.

export const REDACTED = "***redacted***";

/**
 * Values shorter than this are masked only where they stand alone (a config field equal to one),
 * never inside other text: masking every "chat" or "8000" would garble messages, and no real key,
 * token or password is that short.
 */
export const MIN_MASKED_LENGTH = 8;

// `scheme://user:password@host` anywhere in a text: the password goes, the user name stays.
const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^/@\s]+@/gi;

/** `text` with URL passwords and every listed secret (of MIN_MASKED_LENGTH or more) replaced. */
export function maskSecrets(text: string, secrets: readonly string[] = known): string {
  let out = text.includes("://") ? text.replace(urlPassword, `$1:${REDACTED}@`) : text;
  for (const secret of secrets) {
    if (secret.length >= MIN_MASKED_LENGTH && out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  }
  return out;
}

// Longest first, so a secret that contains another is masked whole.
let known: string[] = [];

/** Adds values to the process's secrets (empty strings are ignored). */
export function rememberSecrets(values: Iterable<string>): void {
  const all = new Set(known);
  for (const value of values) if (value !== "") all.add(value);
  known = [...all].sort((a, b) => b.length - a.length);
}

/** The registered secrets, longest first. */
export function knownSecrets(): readonly string[] {
  return known;
}

/** Forgets every registered secret (a new command in the same process; tests). */
export function forgetSecrets(): void {
  known = [];
}
