// Text from outside (a server's error message, a model id, a file name) made safe to print on a
// terminal: control characters become visible escapes, so a server cannot clear the screen, move the
// cursor, rewrite earlier lines or hide text. Pure.

// C0 controls, DEL, C1 controls (U+0080–U+009F: 8-bit CSI and OSC introducers), line and paragraph
// separators, and the bidirectional overrides and isolates that can reorder what a line shows.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(char: string): string {
  const known = named[char];
  if (known !== undefined) return known;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
}

/**
 * `text` with every control character shown as an escape (`\x1b`, `\r`, `\u202e`). With `lines: true`
 * (our own multi-line messages) newlines and tabs are kept as they are.
 */
export function escapeControl(text: string, options: { lines?: boolean } = {}): string {
  const keep = options.lines === true;
  return text.replace(unsafe, (char) => (keep && (char === "\n" || char === "\t") ? char : visible(char)));
}
