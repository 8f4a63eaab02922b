import { expect, test } from "bun:test";
import {
  CloseLearner,
  isStaleClose,
  isTlsError,
  QUICK_CLOSE_MS,
  STALE_WINDOW_MIN_MS,
} from "./_keep-alive.ts";

test.each([
  // written at, closed at, round trip ms → stale (re-send) or not (a failure)
  [1000, 1000.2, 0.1, true], // the FIN was on its way as we wrote
  [1000, 1000 + STALE_WINDOW_MIN_MS, 0.1, true], // the floor covers event-loop lag
  [1000, 1000 + STALE_WINDOW_MIN_MS + 0.01, 0.1, false], // loopback: held past the floor
  [1000, 1010, 0.2, false], // a fast server took it and dropped it 10 ms later
  [1000, 1300, 0.2, false], // held 300 ms, then dropped: the server had it
  [1000, 1080, 45, true], // 45 ms round trips: within two of them
  [1000, 1095, 45, false],
  [1000, 1005, Number.NaN, true], // no connect timed yet: the floor alone
] as const)("isStaleClose(written %d, closed %d, round trip %d ms) is %p", (written, closed, rtt, stale) => {
  expect(isStaleClose(written, closed, rtt)).toBe(stale);
});

test("CloseLearner turns on after a quick close and off when a connection is kept alive", () => {
  const learner = new CloseLearner();
  expect(learner.closesAfterResponse).toBe(false);
  learner.closed(QUICK_CLOSE_MS + 1); // a keep-alive timeout: nothing learned
  expect(learner.closesAfterResponse).toBe(false);
  learner.closed(0.3); // llama.cpp's server: FIN right after the response
  expect(learner.closesAfterResponse).toBe(true);
  learner.closed(0.2);
  expect(learner.closesAfterResponse).toBe(true);
  learner.keptAlive();
  expect(learner.closesAfterResponse).toBe(false);
});

test.each([
  ["error:1000045c:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED", true],
  ["unable to verify the first certificate", true],
  ["Client network socket disconnected before secure TLS connection was established", true],
  ["read ECONNRESET", false],
  ["connection closed by the server", false],
])("isTlsError(%p) is %p", (message, tls) => {
  expect(isTlsError(new Error(message))).toBe(tls);
});

test("isTlsError() of no error is false", () => {
  expect(isTlsError(null)).toBe(false);
});
