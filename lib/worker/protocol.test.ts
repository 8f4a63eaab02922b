import { expect, test } from "bun:test";
import { UserError } from "../cli/errors.ts";
import { fatalMessage } from "./protocol.ts";

test("fatalMessage() carries a UserError's message alone, marked as the user's to fix", () => {
  const error = new UserError('Cannot read dataset "x.json": file not found');
  expect(fatalMessage(3, error)).toEqual({
    type: "fatal",
    workerId: 3,
    message: 'Cannot read dataset "x.json": file not found',
    userError: true,
  });
});

test("fatalMessage() carries any other error's stack, and a thrown non-error as text", () => {
  const error = new TypeError("boom");
  expect(fatalMessage(0, error)).toEqual({
    type: "fatal",
    workerId: 0,
    message: error.stack!,
    userError: false,
  });
  expect(error.stack).toContain("TypeError: boom");
  expect(fatalMessage(1, 42)).toEqual({ type: "fatal", workerId: 1, message: "42", userError: false });
});
