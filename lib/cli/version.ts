// Version and git commit. The build injects the commit; from source we read .git without spawning git.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pkg from "../../package.json" with { type: "json" };

declare const INFERLOAD_COMMIT: string | undefined;

function commitFromGit(): string {
  try {
    const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
    const gitDir = join(root, ".git");
    if (!existsSync(gitDir)) return "unknown";
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = head.slice(5);
    const loose = join(gitDir, ref);
    if (existsSync(loose)) return readFileSync(loose, "utf8").trim().slice(0, 12);
    const packed = join(gitDir, "packed-refs");
    if (existsSync(packed)) {
      const line = readFileSync(packed, "utf8")
        .split("\n")
        .find((l) => l.endsWith(` ${ref}`));
      if (line !== undefined) return line.slice(0, 12);
    }
    return "unknown";
  } catch {
    return "unknown";
  }
}

export const version: string = pkg.version;

export function commit(): string {
  return typeof INFERLOAD_COMMIT === "string" ? INFERLOAD_COMMIT : commitFromGit();
}
