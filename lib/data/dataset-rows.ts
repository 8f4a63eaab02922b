// Rows of a dataset file as plain objects: a JSON array, JSON lines, or Parquet (hyparquet: pure JS,
// nested lists and structs assembled, binary columns kept as bytes), or a folder of such files read in
// name order. What the `datasets` library's json and parquet loaders give inference-perf.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { UserError } from "../cli/errors.ts";

export type Row = Record<string, unknown>;

const EXTENSIONS = [".json", ".jsonl", ".parquet"];

/** The data files of `path`: itself, or the .json/.jsonl/.parquet files of a folder, sorted. */
export async function datasetFiles(path: string, what: string): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (info === null) throw new UserError(`Cannot read ${what} "${path}": file not found`);
  if (!info.isDirectory()) return [path];
  const files = (await readdir(path))
    .filter((f) => EXTENSIONS.some((ext) => f.endsWith(ext)))
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0) {
    throw new UserError(`Cannot read ${what} "${path}": the folder holds no .json, .jsonl or .parquet file`);
  }
  return files;
}

/** Up to `limit` rows of one file (all when no limit). */
export async function readRows(file: string, what: string, limit = Number.POSITIVE_INFINITY): Promise<Row[]> {
  const bytes = await readFile(file).catch(() => {
    throw new UserError(`Cannot read ${what} "${file}": file not found`);
  });
  if (file.endsWith(".parquet")) {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    try {
      const rows = Number(parquetMetadata(buffer).num_rows);
      // utf8: false keeps binary columns (images) as bytes; string columns are still decoded.
      return (await parquetReadObjects({
        file: buffer,
        utf8: false,
        rowEnd: Math.min(rows, limit),
      })) as Row[];
    } catch (error) {
      throw new UserError(`Cannot read ${what} "${file}": not a Parquet file: ${(error as Error).message}`);
    }
  }
  const text = bytes.toString("utf8");
  try {
    const trimmed = text.trimStart();
    if (trimmed.startsWith("[")) return (JSON.parse(text) as Row[]).slice(0, limit);
    const rows: Row[] = [];
    for (const line of text.split("\n")) {
      if (rows.length >= limit) break;
      if (line.trim() !== "") rows.push(JSON.parse(line) as Row);
    }
    return rows;
  } catch (error) {
    throw new UserError(`Cannot read ${what} "${file}": not JSON or JSON lines: ${(error as Error).message}`);
  }
}
