// Report files in a local directory: `<dir>/<prefix><name>`, written to a temporary file then renamed,
// so a crash mid-write never leaves a half-written report that looks whole.
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
      const temporary = `${path}.tmp-${process.pid}`;
      const fd = openSync(temporary, "w");
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
          return path;
        },
        discard() {
          close();
          rmSync(temporary, { force: true });
        },
      };
    },
    write(name, contents) {
      ensureDir();
      const path = pathOf(name);
      const temporary = `${path}.tmp-${process.pid}`;
      writeFileSync(temporary, contents);
      renameSync(temporary, path);
      return path;
    },
  };
}
