// Test helper: a scratch folder for a test file, so no test writes outside the system's temporary
// folder or leaves anything behind. Imports nothing of inferload, so any test may use it cheaply.
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A new folder under the system's temporary folder, removed after this file's (or block's) tests. */
export function tempDirForTests(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
