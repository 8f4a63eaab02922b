import { expect, test } from "bun:test";
import { onStageSignals } from "./stage-signals.ts";

function recorder() {
  const calls: string[] = [];
  return {
    calls,
    handlers: {
      stop: () => calls.push("stop"),
      hard: () => calls.push("hard"),
      fail: () => calls.push("fail"),
    },
  };
}

function controllers() {
  const [interrupt, hard, fail] = [new AbortController(), new AbortController(), new AbortController()];
  const signals = { signal: interrupt.signal, hardSignal: hard.signal, failSignal: fail.signal };
  const abortAll = () => {
    for (const c of [interrupt, hard, fail]) c.abort();
  };
  return { signals, abortAll };
}

test("onStageSignals() calls each handler when its signal aborts", () => {
  const { signals, abortAll } = controllers();
  const { calls, handlers } = recorder();
  const unlisten = onStageSignals(signals, handlers);
  expect(calls).toEqual([]);
  abortAll();
  expect(calls).toEqual(["stop", "hard", "fail"]);
  unlisten();
});

test("onStageSignals() calls no handler once its listeners are removed", () => {
  const { signals, abortAll } = controllers();
  const { calls, handlers } = recorder();
  onStageSignals(signals, handlers)();
  abortAll();
  expect(calls).toEqual([]);
});

test("onStageSignals() stops or fails the stage at once when the signal has already aborted", () => {
  const { calls, handlers } = recorder();
  const unlisten = onStageSignals(
    { signal: AbortSignal.abort(), hardSignal: AbortSignal.abort(), failSignal: AbortSignal.abort() },
    handlers,
  );
  // An aborted hard signal is not replayed: it never comes without the first, which stops the stage.
  expect(calls).toEqual(["stop", "fail"]);
  unlisten();
});

test("onStageSignals() accepts a stage without signals", () => {
  const { calls, handlers } = recorder();
  onStageSignals({}, handlers)();
  expect(calls).toEqual([]);
});
