// What every cloud uploader shares: the files to send, the object key inference-perf builds
// (`<path>/<report_file_prefix><name>`, no leading "/"), content types, the per-file loop (an
// object that already exists is skipped, as inference-perf skips it) and the result.

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

/** One bucket of one cloud store, as the run uses it. */
export interface UploadTarget {
  /** `s3://bucket/key` or `gs://bucket/key`, for messages. */
  describe(key: string): string;
  /** Asks the store about the bucket: null when it is there and the credentials work, else what went wrong. */
  checkBucket(): Promise<string | null>;
  upload(files: readonly UploadFile[]): Promise<UploadResult>;
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

export interface ObjectOps {
  /** True when the object is already there. */
  exists(key: string): Promise<boolean>;
  /** Writes the object: null when the store took it, else why not. */
  put(key: string, body: string, contentType: string): Promise<string | null>;
}

/** Each file in turn under `<path>/<prefix>`: skipped when it exists, else written; failures collected. */
export async function uploadEach(
  files: readonly UploadFile[],
  place: { path: string; report_file_prefix: string | null },
  ops: ObjectOps,
): Promise<UploadResult> {
  const result: UploadResult = { uploaded: [], skipped: [], failed: [] };
  for (const file of files) {
    const key = objectKey(place.path, place.report_file_prefix, file.name);
    try {
      if (await ops.exists(key)) {
        result.skipped.push(key);
        continue;
      }
      const problem = await ops.put(key, file.contents(), contentTypeOf(file.name));
      if (problem === null) result.uploaded.push(key);
      else result.failed.push({ key, message: problem });
    } catch (error) {
      result.failed.push({ key, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
