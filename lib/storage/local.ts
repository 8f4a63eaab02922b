// Report files in a local directory: `<dir>/<prefix><name>`, written to a temporary file then renamed,
// so a crash mid-write never leaves a half-written report that looks whole. No temporary file
// outlives its write: a failed write removes its own, and any still open when the process exits
// (an exit in the middle of a report) are removed on the way out.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface LocalStorage {
  readonly dir: string;
  /** The path a file name maps to (prefix applied). */
  pathOf(name: string): string;
  /** Writes the whole file atomically and returns its path. */
  write(name: string, contents: string): string;
  /** Opens a file to write in pieces (bounded memory); it appears under its name only on commit(). */
  open(name: string): StorageFile;
}

export interface StorageFile {
  append(text: string): void;
  /** Closes and renames into place; returns the path. */
  commit(): string;
  /** Closes and deletes the partial file. */
  discard(): void;
}

/** Temporary files being written now, by every storage of the process. */
const temporaries = new Set<string>();
let cleanupInstalled = false;

/** Removes every temporary file still being written (synchronous: it also runs at process exit). */
export function removeTemporaries(): void {
  for (const path of temporaries) rmSync(path, { force: true });
  temporaries.clear();
}

function temporaryFor(path: string): string {
  if (!cleanupInstalled) {
    process.on("exit", removeTemporaries);
    cleanupInstalled = true;
  }
  const temporary = `${path}.tmp-${process.pid}`;
  temporaries.add(temporary);
  return temporary;
}

function drop(temporary: string): void {
  temporaries.delete(temporary);
  rmSync(temporary, { force: true });
}

export function createLocalStorage(dir: string, prefix = ""): LocalStorage {
  let made = false;
  const pathOf = (name: string) => join(dir, `${prefix}${name}`);
  const ensureDir = () => {
    if (!made) mkdirSync(dir, { recursive: true });
    made = true;
  };
  return {
    dir,
    pathOf,
    open(name) {
      ensureDir();
      const path = pathOf(name);
      const temporary = temporaryFor(path);
      let fd: number;
      try {
        fd = openSync(temporary, "w");
      } catch (error) {
        drop(temporary);
        throw error;
      }
      let open = true;
      const close = () => {
        if (open) closeSync(fd);
        open = false;
      };
      return {
        append: (text) => {
          if (text.length > 0) writeSync(fd, text);
        },
        commit() {
          close();
          renameSync(temporary, path);
          temporaries.delete(temporary);
          return path;
        },
        discard() {
          close();
          drop(temporary);
        },
      };
    },
    write(name, contents) {
      ensureDir();
      const path = pathOf(name);
      const temporary = temporaryFor(path);
      try {
        writeFileSync(temporary, contents);
        renameSync(temporary, path);
        temporaries.delete(temporary);
      } catch (error) {
        drop(temporary);
        throw error;
      }
      return path;
    },
  };
}
