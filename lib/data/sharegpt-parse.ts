// ShareGPT parsing: JSON (an array of rows) or JSONL (one row per line) → conversations. Pure.
// A row is `{ conversations: [{ from, value }, ...] }`; a turn may itself be a JSON string holding
// that object (seen in the public dataset). Rows that cannot be used are
// counted, never fatal: no human turn followed by a gpt turn, empty text, wrong shapes.

export interface Conversation {
  /** A leading "system" turn, when the conversation has one. */
  system: string | undefined;
  /** The first human turn: the prompt. */
  human: string;
  /** The gpt turn that answers it: its token count is the request's max_tokens. */
  gpt: string;
}

export interface ParsedShareGpt {
  conversations: Conversation[];
  /** Rows skipped as malformed or unusable. */
  skipped: number;
}

/** Parse a whole file's text. Throws SyntaxError only when the file is neither JSON nor JSONL. */
export function parseShareGpt(text: string): ParsedShareGpt {
  const rows = splitRows(text);
  const conversations: Conversation[] = [];
  let skipped = 0;
  for (const row of rows) {
    const conversation = row === MALFORMED ? undefined : toConversation(row);
    if (conversation) conversations.push(conversation);
    else skipped++;
  }
  return { conversations, skipped };
}

const MALFORMED = Symbol("malformed");

function splitRows(text: string): unknown[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  // JSONL; a single JSON object spanning lines is parsed whole first.
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed === "object" && parsed !== null) return [parsed];
  } catch {
    // not one object: read it line by line
  }
  const rows: unknown[] = [];
  let bad = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      rows.push(MALFORMED);
      bad++;
    }
  }
  if (rows.length > 0 && bad === rows.length) throw new SyntaxError("neither a JSON array nor JSON lines");
  return rows;
}

interface Turn {
  from: string;
  value: string;
}

function toTurn(raw: unknown): Turn | undefined {
  let turn = raw;
  if (typeof turn === "string") {
    try {
      turn = JSON.parse(turn);
    } catch {
      return undefined;
    }
  }
  if (typeof turn !== "object" || turn === null) return undefined;
  const { from, value } = turn as { from?: unknown; value?: unknown };
  return typeof from === "string" && typeof value === "string" ? { from, value } : undefined;
}

function toConversation(row: unknown): Conversation | undefined {
  if (typeof row !== "object" || row === null) return undefined;
  const raw = (row as { conversations?: unknown }).conversations;
  if (!Array.isArray(raw) || raw.length < 2) return undefined;
  const turns = raw.map(toTurn);
  if (turns.some((t) => t === undefined)) return undefined;
  const list = turns as Turn[];
  const at = list.findIndex((t) => t.from === "human" || t.from === "user");
  const human = list[at];
  const gpt = list[at + 1];
  if (at < 0 || !human || !gpt || human.value.trim() === "") return undefined;
  if (gpt.from !== "gpt" && gpt.from !== "assistant" && gpt.from !== "chatgpt") return undefined;
  const first = list[0] as Turn;
  const system = at > 0 && first.from === "system" && first.value.trim() !== "" ? first.value : undefined;
  return { system, human: human.value, gpt: gpt.value };
}
