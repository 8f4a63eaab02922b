// What every cloud uploader shares: the files to send, the object key inference-perf builds
// (`<path>/<report_file_prefix><name>`, no leading "/"), content types and the result. Pure.

export interface UploadFile {
  /** The report's name without any prefix, e.g. "summary_lifecycle_metrics.json". */
  name: string;
  /** Reads the local copy (the upload sends exactly the bytes written locally). */
  contents(): string;
}

export interface UploadResult {
  uploaded: string[];
  /** Keys that already existed (inference-perf does not overwrite). */
  skipped: string[];
  failed: { key: string; message: string }[];
}

export function objectKey(path: string, prefix: string | null, name: string): string {
  return `${path}/${prefix ?? ""}${name}`.replace(/^\/+/, "");
}

export function contentTypeOf(name: string): string {
  if (name.endsWith(".json")) return "application/json";
  if (name.endsWith(".yaml") || name.endsWith(".yml")) return "text/yaml";
  if (name.endsWith(".jsonl")) return "application/x-ndjson";
  return "application/octet-stream";
}
