// OpenAI chat content parts, and inference-perf's rule for weaving media into a prompt at insertion
// points (apis/chat.py assemble_content). Pure.

export type ContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string } }
  | { type: "video_url"; video_url: { url: string } }
  | { type: "input_audio"; input_audio: { data: string; format: "wav" } };

/** A media block (an image, an MP4, a clip, or a video's frames as image blocks) and where it goes. */
export interface Placed {
  parts: readonly ContentPart[];
  /** In [0, 1]: 0 before the text, 1 after it (values outside are clamped). */
  point: number;
}

/**
 * The text cut at each block's point (character index ⌊point·length⌋), blocks in order of their points
 * (a stable sort: equal points keep their order), no empty text parts. With no blocks, one text part.
 */
export function weave(text: string, blocks: readonly Placed[]): ContentPart[] {
  if (blocks.length === 0) return [{ type: "text", text }];
  const sorted = [...blocks].sort((a, b) => a.point - b.point);
  const content: ContentPart[] = [];
  let last = 0;
  for (const block of sorted) {
    const at = Math.floor(Math.max(0, Math.min(1, block.point)) * text.length);
    if (at > last) {
      content.push({ type: "text", text: text.slice(last, at) });
      last = at;
    }
    content.push(...block.parts);
  }
  if (last < text.length) content.push({ type: "text", text: text.slice(last) });
  return content;
}

/** The text of the text parts, concatenated (what inference-perf's client-side prompt count reads). */
export function textOf(content: string | readonly ContentPart[]): string {
  if (typeof content === "string") return content;
  let text = "";
  for (const part of content) if (part.type === "text") text += part.text;
  return text;
}

/**
 * A shared prefix's content followed by a question's, as inference-perf joins them into one user
 * message (apis/chat.py): a single space between the two sides when both have content, merged into
 * the text on each side of it when both meet as text, else as a text part of its own.
 */
export function joinContent(prefix: readonly ContentPart[], question: readonly ContentPart[]): ContentPart[] {
  if (prefix.length === 0 || question.length === 0) return [...prefix, ...question];
  const last = prefix[prefix.length - 1] as ContentPart;
  const first = question[0] as ContentPart;
  if (last.type === "text" && first.type === "text") {
    return [
      ...prefix.slice(0, -1),
      { type: "text", text: `${last.text} ${first.text}` },
      ...question.slice(1),
    ];
  }
  return [...prefix, { type: "text", text: " " }, ...question];
}
