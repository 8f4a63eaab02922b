// VisionArena-Chat rows as its Parquet files hold them, for tests that read the dataset offline
// (from data.path or a Hugging Face cache they build).
import { parquetWriteBuffer } from "hyparquet-writer";

/** One row: the conversation as a list of turns (each a list of {role, content}); images as {bytes, path}. */
export interface VisionArenaRow {
  conversation: { role: string; content: string }[][];
  images: { bytes: Uint8Array; path: string }[];
}

const schema = [
  { name: "root", num_children: 2 },
  { name: "conversation", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  { name: "element", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  { name: "element", repetition_type: "OPTIONAL", num_children: 2 },
  { name: "role", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "content", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "images", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  { name: "element", repetition_type: "OPTIONAL", num_children: 2 },
  { name: "bytes", type: "BYTE_ARRAY", repetition_type: "OPTIONAL" },
  { name: "path", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
];

/** A Parquet file of `rows` in VisionArena-Chat's schema. */
export function visionArenaParquet(rows: readonly VisionArenaRow[]): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "conversation", data: rows.map((r) => r.conversation) },
      { name: "images", data: rows.map((r) => r.images) },
    ],
    schema,
  } as unknown as Parameters<typeof parquetWriteBuffer>[0]);
  return new Uint8Array(buffer);
}
