// The folder a run's reports go to, settled before any load: it must be creatable and writable (a
// probe file is written and removed), a folder the user named must not already hold reports unless
// --overwrite, and a folder named by default (`reports-YYYYMMDD-HHMMSS`) is made unique, so two runs
// started in the same second never share one.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export interface ReportDirRequest {
  dir: string;
  /** Named by the user (--output-dir, or a storage path without `{timestamp}`). */
  explicit: boolean;
  /** --overwrite: report files already in an explicit folder are removed instead of refused. */
  overwrite: boolean;
  /** storage.local_storage.report_file_prefix. */
  prefix: string;
}

/** How many suffixes (`-2`, `-3`, …) a default folder name may get before giving up. */
const MAX_SUFFIX = 1000;

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EROFS") return "the file system is read-only";
  if (code === "ENOTDIR") return "a part of the path is a file, not a folder";
  if (code === "ENOSPC") return "no space left on the device";
  if (code === "ENAMETOOLONG") return "the name is too long";
  return error instanceof Error ? error.message : String(error);
}

/** Report files a run writes (lib/report/write.ts names), found in `dir`. */
export function existingReports(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter(
    (name) =>
      name.startsWith(prefix) &&
      (name.endsWith("lifecycle_metrics.json") ||
        name === `${prefix}config.yaml` ||
        name === `${prefix}per_request_records.jsonl`),
  );
}

/** Writes and removes a probe file: the only sure test that reports can be written there. */
function probe(dir: string): string | null {
  const file = join(dir, `.inferload-write-check-${process.pid}`);
  try {
    writeFileSync(file, "");
    rmSync(file, { force: true });
    return null;
  } catch (error) {
    return reasonOf(error);
  }
}

function isDir(path: string): boolean | null {
  try {
    return statSync(path).isDirectory();
  } catch {
    return null;
  }
}

function cannot(dir: string, why: string): string {
  return `Cannot write reports to "${dir}": ${why}`;
}

/**
 * For `validate`: what would stop `run` from writing reports to this folder, creating nothing (the
 * probe goes into the folder, or into its nearest existing parent).
 */
export function reportDirProblems(request: ReportDirRequest): string[] {
  const { dir } = request;
  const here = isDir(dir);
  if (here === false) return [cannot(dir, "it is a file, not a folder")];
  if (here === true) {
    const found = request.explicit && !request.overwrite ? existingReports(dir, request.prefix) : [];
    if (found.length > 0) return [alreadyHolds(dir, found)];
    const failed = probe(dir);
    return failed === null ? [] : [cannot(dir, failed)];
  }
  let parent = dirname(resolve(dir));
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (isDir(parent) === false) return [cannot(dir, `"${parent}" is a file, not a folder`)];
  const failed = probe(parent);
  return failed === null ? [] : [cannot(dir, `cannot create it in "${parent}": ${failed}`)];
}

function alreadyHolds(dir: string, found: readonly string[]): string {
  const example = found.slice(0, 2).join(", ");
  return cannot(
    dir,
    `it already holds reports (${found.length} files: ${example}${found.length > 2 ? ", …" : ""}); pass --overwrite to replace them, or choose another folder`,
  );
}

/**
 * For `run`: creates the folder (a fresh one with a suffix when a default name is taken), clears old
 * reports with --overwrite, and proves it writable. Returns the folder, or the problem.
 */
export function claimReportDir(request: ReportDirRequest): { dir: string } | { problem: string } {
  const { dir } = request;
  if (isDir(dir) === false) return { problem: cannot(dir, "it is a file, not a folder") };
  let claimed = dir;
  try {
    if (request.explicit) {
      mkdirSync(dir, { recursive: true });
      const found = existingReports(dir, request.prefix);
      if (found.length > 0 && !request.overwrite) return { problem: alreadyHolds(dir, found) };
      for (const name of found) rmSync(join(dir, name), { force: true });
    } else {
      mkdirSync(dirname(resolve(dir)), { recursive: true });
      claimed = claimFresh(dir);
    }
  } catch (error) {
    return { problem: cannot(dir, reasonOf(error)) };
  }
  const failed = probe(claimed);
  return failed === null ? { dir: claimed } : { problem: cannot(claimed, failed) };
}

// mkdir without `recursive` fails when the folder exists, so of two runs racing for one name only
// one gets it; the other takes the next suffix.
function claimFresh(dir: string): string {
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const candidate = n === 1 ? dir : `${dir}-${n}`;
    try {
      mkdirSync(candidate);
      return candidate;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EEXIST") throw error;
    }
  }
  throw new Error(`${MAX_SUFFIX} folders of that name already exist`);
}
