// Colour only on a terminal, and never with NO_COLOR set (https://no-color.org): piped output,
// files and CI logs get plain text.

export function colorFor(stream: { isTTY?: boolean | undefined }, env = process.env): boolean {
  return !env.NO_COLOR && stream.isTTY === true;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI colour codes is the point
const ansi = /\x1b\[[0-9;]*m/g;

export function stripColor(text: string): string {
  return text.replace(ansi, "");
}
