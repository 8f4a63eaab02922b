// data.type "shared_prefix" with media, as inference-perf's shared-prefix generator makes it:
// `shared_prefix.multimodal` puts media in each group's prefix (drawn once per group, right after its
// system prompt, the same bytes on every request of the group so a server's prefix cache can hit, and
// other bytes in other groups), `data.multimodal` puts fresh media in each request's question. One user
// message: the prefix woven with its media, a space, the question woven with its own (content.ts).
// The text is shared_prefix's, exact as ever; media come from seeded pools built once. Pure given the
// tokenizer and seed (pool building is CPU work, no I/O).
import type { Rng } from "../load/rng.ts";
import { type ContentPart, joinContent, textOf, weave } from "../media/content.ts";
import {
  buildMediaPool,
  defaultVariants,
  keyName,
  type MediaKey,
  type MediaPool,
  type PooledMedia,
} from "../media/pool.ts";
import type { MediaInstance } from "../record/record.ts";
import { indexRng } from "./_seed.ts";
import {
  checkCounts,
  drawMedia,
  type Multimodal,
  placed,
  pooled,
  poolKeys,
  resolveModalities,
} from "./multimodal.ts";
import { type SharedPrefixOptions, sharedPrefixPrompts } from "./shared-prefix.ts";
import type { DataGenerator, GeneratedRequest } from "./types.ts";

export interface SharedPrefixMediaOptions extends SharedPrefixOptions {
  /** shared_prefix.multimodal: media in each group's prefix. */
  prefixMedia: Multimodal | null;
  /** data.multimodal: media in each request's question. */
  questionMedia: Multimodal | null;
  /** Ready pools (tests); built from the config otherwise. */
  pools?: { prefix: MediaPool; question: MediaPool } | undefined;
}

/** Encoding work allowed per prefix geometry, in PNG-pixel equivalents (about 2.5 s here). */
const PREFIX_BUDGET = 128e6;
// The prefix pool's seeds differ from the question pool's, so a question never repeats a prefix's bytes.
const PREFIX_SALT = 0x51a7ed;

/**
 * Distinct prefix items kept for a geometry used `uses` times over all groups: one per use, so each
 * group's media differ from every other group's (upstream seeds them by group), as far as the encoding
 * budget goes (JPEG costs ~7x a PNG pixel, an MP4 frame ~1/3); past it, groups share bytes in turn.
 * Audio stays at one: upstream's clips are silence of a duration, the same bytes in every group.
 */
export function prefixVariants(key: MediaKey, uses: number): number {
  if (key.kind === "audio") return 1;
  const pixels = key.width * key.height * (key.kind === "video" ? key.frames : 1);
  const jpeg =
    (key.kind === "image" && key.format === "jpeg") ||
    (key.kind === "video" && key.representation === "jpeg_frames");
  const cost = pixels * (jpeg ? 7 : key.kind === "video" && key.representation === "mp4" ? 1 / 3 : 1);
  return Math.max(1, Math.min(uses, Math.max(defaultVariants(key), Math.floor(PREFIX_BUDGET / cost))));
}

interface Group {
  content: ContentPart[];
  media: MediaInstance[];
}

export async function createSharedPrefixMediaGenerator(
  opts: SharedPrefixMediaOptions,
): Promise<DataGenerator> {
  const prefixModalities =
    opts.prefixMedia === null ? [] : resolveModalities(opts.prefixMedia, "data.shared_prefix.multimodal");
  const questionModalities = opts.questionMedia === null ? [] : resolveModalities(opts.questionMedia);
  checkCounts(prefixModalities, opts.seed);
  checkCounts(questionModalities, opts.seed);

  // Each group's prefix media are drawn on the prompts' RNG after its system prompt (upstream's order);
  // which pooled variant each gets is settled once every group's draws are known.
  const drawn: { item: MediaKey; point: number }[][] = [];
  const prompts = sharedPrefixPrompts(opts, (group, rng: Rng) => {
    drawn[group] = drawMedia(prefixModalities, rng, (key) => key);
  });

  const uses = new Map<string, { key: MediaKey; count: number }>();
  for (const key of drawn.flat().map((d) => d.item)) {
    const name = keyName(key);
    const seen = uses.get(name);
    if (seen === undefined) uses.set(name, { key, count: 1 });
    else seen.count++;
  }
  const prefixPool =
    opts.pools?.prefix ??
    (await buildMediaPool(
      [...uses.values()].map((u) => u.key),
      (opts.seed ^ PREFIX_SALT) >>> 0,
      (key) => prefixVariants(key, uses.get(keyName(key))?.count ?? 1),
    ));
  const questionPool =
    opts.pools?.question ?? (await buildMediaPool(poolKeys(questionModalities), opts.seed));

  // Variant k for the k-th use of a geometry, in group order: distinct while the pool has enough.
  const nextVariant = new Map<string, number>();
  const groupOf = (prefix: string, group: number): Group => {
    if (opts.prefixMedia === null) {
      return { content: prefix === "" ? [] : [{ type: "text", text: prefix }], media: [] };
    }
    const items = (drawn[group] ?? []).map(({ item, point }) => {
      const name = keyName(item);
      const k = nextVariant.get(name) ?? 0;
      nextVariant.set(name, k + 1);
      return { item: prefixPool.get(name, k) as PooledMedia, point };
    });
    const { blocks, media } = placed(items);
    return { content: weave(prefix, blocks), media };
  };
  const groups: Group[] = [];
  for (const p of [...prompts].sort((a, b) => a.group - b.group)) {
    groups[p.group] ??= groupOf(p.prefix, p.group);
  }

  // The text of the joined content is the same for every request of a prompt: counted once here.
  const withQuestionMedia = opts.questionMedia !== null;
  const counted = prompts.map((p) => {
    const question: ContentPart[] =
      withQuestionMedia || p.question !== "" ? [{ type: "text", text: p.question }] : [];
    const text = textOf(joinContent(groups[p.group]?.content ?? [], question));
    return { text, tokens: text === p.prompt ? p.promptTokens : opts.tokenizer.count(text) };
  });

  return {
    type: "shared_prefix",
    size: prompts.length,
    next(index): GeneratedRequest {
      const i = index % prompts.length;
      const p = prompts[i]!;
      const group = groups[p.group]!;
      let question: ContentPart[];
      let media = group.media;
      if (withQuestionMedia) {
        const q = placed(drawMedia(questionModalities, indexRng(opts.seed, index, 7), pooled(questionPool)));
        question = weave(p.question, q.blocks);
        if (q.media.length > 0) media = [...media, ...q.media];
      } else {
        question = p.question === "" ? [] : [{ type: "text", text: p.question }];
      }
      const { text, tokens } = counted[i]!;
      return {
        prompt: text,
        messages: [{ role: "user", content: joinContent(group.content, question) }],
        maxTokens: p.maxTokens,
        // With media the server counts them too; the text count no longer predicts its prompt_tokens.
        expectedPromptTokens: media.length > 0 ? undefined : tokens,
        clientPromptTokens: tokens,
        media: media.length > 0 ? media : undefined,
      };
    },
  };
}
