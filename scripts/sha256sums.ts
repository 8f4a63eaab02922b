// SHA256SUMS in the format `sha256sum -c` and `shasum -a 256 -c` read: "<hex>  <name>" per line,
// sorted by name. Files are hashed as streams (the binaries are ~110 MB each).
import { createHash } from "node:crypto";
import { createReadStream, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

export interface FileDigest {
  name: string;
  sha256: string;
}

/** The file's text: two spaces between digest and name (binary and text mode read alike). Pure. */
export function formatSha256Sums(digests: readonly FileDigest[]): string {
  return [...digests]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((d) => `${d.sha256}  ${d.name}\n`)
    .join("");
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Hashes `names` inside `dir` and writes `dir/SHA256SUMS`; returns the digests. */
export async function writeSha256Sums(dir: string, names: readonly string[]): Promise<FileDigest[]> {
  const digests = await Promise.all(
    names.map(async (name) => ({ name: basename(name), sha256: await sha256File(join(dir, name)) })),
  );
  writeFileSync(join(dir, "SHA256SUMS"), formatSha256Sums(digests));
  return digests;
}
