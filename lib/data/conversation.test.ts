import { describe, expect, test } from "bun:test";
import { UserError } from "../cli/errors.ts";
import { conversationSessionName, turnOf } from "./conversation.ts";
import { createConversationReplaySource } from "./conversation-replay.ts";
import { fixedDistribution, resolveDistribution } from "./distribution.ts";
import { createMultiTurnSource } from "./multi-turn.ts";
import { defaultTokenizer } from "./tokenizer/default.ts";

const tokenizer = defaultTokenizer();

describe("turnOf()", () => {
  test.each([
    // index → slot, turn, conversation, session, first (3 slots, 2 turns each, restarting)
    [0, 0, 0, 0, 0, true],
    [2, 2, 0, 0, 2, true],
    [3, 0, 1, 0, 0, false],
    [6, 0, 0, 1, 3, true], // slot 0's second conversation: session 0 + 3 × 1
    [10, 1, 1, 1, 4, false],
  ])(
    "restarting: request %d → slot %d turn %d conversation %d session %d",
    (i, slot, turn, conversation, session, first) => {
      expect(turnOf({ slots: 3, cycle: "restart" }, i, 2)).toEqual({
        slot,
        turn,
        conversation,
        session,
        first,
      });
    },
  );

  test("a repeating slot is one session for the whole stage", () => {
    expect(turnOf({ slots: 3, cycle: "repeat" }, 7, 1)).toEqual({
      slot: 1,
      turn: 0,
      conversation: 0,
      session: 1,
      first: false,
    });
  });

  test("names sessions as inference-perf does", () => {
    expect(conversationSessionName({ type: "shared_prefix", slots: 4 }, 3)).toBe("user_session_3");
    expect(conversationSessionName({ type: "conversation_replay", slots: 4 }, 3)).toBe("conv_3");
    expect(conversationSessionName({ type: "conversation_replay", slots: 4 }, 9)).toBe("slot_1_convo_2");
  });
});

describe("createMultiTurnSource()", () => {
  const options = {
    tokenizer,
    numGroups: 2,
    numPromptsPerGroup: 3,
    systemPromptLen: fixedDistribution(40),
    questionLen: resolveDistribution({ type: "uniform", min: 5, max: 20 }),
    outputLen: fixedDistribution(12),
    seed: 7,
  };

  test("users of a group share their system prompt byte for byte; lengths are exact", () => {
    const source = createMultiTurnSource(options);
    expect([source.slots, source.cycle]).toEqual([6, "repeat"]);
    const users = Array.from({ length: 6 }, (_, u) => source.blueprint(u, 0));
    expect(users[1]!.system).toBe(users[0]!.system);
    expect(users[3]!.system).not.toBe(users[0]!.system);
    for (const u of users) {
      expect(tokenizer.count(u.system)).toBe(40);
      expect(u.systemTokens).toBe(40);
      const [turn] = u.turns;
      expect(turn!.userTokens).toBeGreaterThanOrEqual(5);
      expect(turn!.userTokens).toBeLessThanOrEqual(20);
      expect(turn!.maxTokens).toBe(12);
    }
  });

  test("a Worker building only its own users gets the same text as a full build", () => {
    const all = createMultiTurnSource(options);
    const odd = createMultiTurnSource({ ...options, wanted: (u) => u % 2 === 1 });
    expect(odd.blueprint(3, 0)).toEqual(all.blueprint(3, 0));
    expect(() => odd.blueprint(2, 0)).toThrow("User 2 was not built by this generator");
  });
});

describe("createConversationReplaySource()", () => {
  const options = {
    tokenizer,
    seed: 42,
    numConversations: 4,
    sharedSystemPromptLen: 30,
    dynamicSystemPromptLen: fixedDistribution(10),
    turnsPerConversation: resolveDistribution({ type: "uniform", min: 2, max: 4 }),
    inputTokensPerTurn: fixedDistribution(16),
    outputTokensPerTurn: fixedDistribution(8),
    toolCallLatencySec: fixedDistribution(2),
    maxModelLen: null,
  };

  test("builds seeded conversations with exact lengths and a shared then dynamic system prompt", () => {
    const a = createConversationReplaySource(options);
    const b = createConversationReplaySource(options);
    expect(a.blueprint(2, 0)).toEqual(b.blueprint(2, 0));
    const c0 = a.blueprint(0, 0);
    const c1 = a.blueprint(1, 0);
    // The shared part is the same text in every conversation.
    const shared = c0.system.slice(0, c0.system.length - c0.system.split(" ").pop()!.length);
    expect(c1.system.startsWith(shared.slice(0, 20))).toBe(true);
    expect(c0.systemTokens).toBe(40);
    for (const turn of c0.turns) {
      expect(tokenizer.count(turn.user)).toBe(16);
      expect(turn).toMatchObject({ userTokens: 16, maxTokens: 8, afterMs: 2000 });
    }
    expect(c0.turns.length).toBeGreaterThanOrEqual(2);
    expect(c0.turns.length).toBeLessThanOrEqual(4);
  });

  test("each stage gets its own shared prompt; the conversations' own parts stay", () => {
    const source = createConversationReplaySource(options);
    const s0 = source.blueprint(0, 0);
    const s1 = source.blueprint(0, 1);
    expect(s1.system).not.toBe(s0.system);
    expect(s1.turns).toEqual(s0.turns);
  });

  test("an output ceiling that leaves no room for a prompt is refused before any load", () => {
    expect(() =>
      createConversationReplaySource({
        ...options,
        outputTokensPerTurn: fixedDistribution(900),
        maxModelLen: 1000,
      }),
    ).toThrow(
      new UserError(
        "data.conversation_replay.output_tokens_per_turn.mean: expected less than 800 (max_model_len 1000 minus a 200-token buffer, so a prompt fits), got 900",
      ),
    );
  });
});
