// The main thread's side of a session workload, prepared before any load: the corpus of replayed
// sessions (read and checked once here, then shared out to the Workers), or the shape of the
// conversations (checked here, texts built by each Worker for its own), and the collector their
// lifecycles go to.

import { readFile } from "node:fs/promises";
import { fileErrorReason, UserError } from "../cli/errors.ts";
import { log } from "../cli/log.ts";
import type { Config } from "../config/schema.ts";
import { conversationSessionName } from "../data/conversation.ts";
import { createConversationSource, sessionWorkload } from "../data/create-sessions.ts";
import { type LoadedSessions, loadOtelSessions } from "../data/replay/load-otel.ts";
import { loadWekaSessions } from "../data/replay/load-weka.ts";
import { type ReplaySessionPlan, sessionSizes } from "../data/replay/session-plan.ts";
import type { Tokenizer } from "../data/types.ts";
import { SessionCollector } from "../metrics/session-metrics.ts";

export interface RunSessions {
  collector: SessionCollector;
  /** trace_session_replay: the corpus in replay order. */
  replay: ReplaySessionPlan[] | null;
  /** Calls per session of the corpus (what planRun sizes session stages by). */
  sessionCalls: Int32Array | null;
  /** Conversation workloads: request i belongs to slot i mod slots. */
  conversationSlots: number | null;
  /** A session's name and source, for one whose Worker could not report it (SessionCollector.unreported). */
  describe: (session: number) => { name: string; source: string };
}

/** Notes past this many are summed up in one line, so a corpus of bad files cannot flood the log. */
const MAX_NOTES = 20;

export async function prepareSessions(config: Config, tokenizer: Tokenizer): Promise<RunSessions | null> {
  const workload = sessionWorkload(config);
  if (workload === null) return null;
  const collector = new SessionCollector();
  if (workload === "multi_turn" || workload === "conversation_replay") {
    // Checks the config (lengths, max_model_len) now; each Worker builds the texts of its own slots.
    const source = createConversationSource(config, {
      tokenizer,
      baseSeed: config.load.base_seed,
      wanted: () => false,
    });
    return {
      collector,
      replay: null,
      sessionCalls: null,
      conversationSlots: source.slots,
      describe: (session) => ({ name: conversationSessionName(source, session), source: source.type }),
    };
  }
  let loaded: LoadedSessions;
  // A Hugging Face trace dataset is found in the hub cache or downloaded into it here, once.
  const hub = { env: process.env, token: config.tokenizer?.token, log };
  if (workload === "otel_trace_replay") {
    loaded = await loadOtelSessions(config.data.otel_trace_replay!, config.load.base_seed, hub);
  } else {
    const path = config.data.corpus_file_path;
    let corpusText: string | null = null;
    if (path !== null) {
      try {
        corpusText = await readFile(path, "utf8");
      } catch (error) {
        throw new UserError(`Cannot read data.corpus_file_path "${path}": ${fileErrorReason(error)}`);
      }
    }
    loaded = await loadWekaSessions(config.data.weka_trace_replay!, {
      tokenizer,
      baseSeed: config.load.base_seed,
      corpusText,
      hub,
    });
  }
  {
    const { sessions, notes } = loaded;
    for (const note of notes.slice(0, MAX_NOTES)) log.warn(note);
    if (notes.length > MAX_NOTES) log.warn(`… and ${notes.length - MAX_NOTES} more notes about the traces`);
    const calls = sessions.reduce((n, s) => n + s.calls.length, 0);
    log.info(`Replaying ${sessions.length} session${sessions.length === 1 ? "" : "s"} (${calls} LLM calls)`);
    return {
      collector,
      replay: sessions,
      sessionCalls: sessionSizes(sessions),
      conversationSlots: null,
      describe: (session) => ({
        name: sessions[session]?.id ?? `session_${session}`,
        source: sessions[session]?.source ?? "",
      }),
    };
  }
}
