import { expect, test } from "bun:test";
import fc from "fast-check";
import { record } from "../record/record.testing.ts";
import type { RequestRecord } from "../record/record.ts";
import { ConnectionTally } from "./connections.ts";

const percentiles = [50, 90];

function tally(records: readonly RequestRecord[]): ConnectionTally {
  const t = new ConnectionTally();
  for (const r of records) t.add(r);
  return t;
}

test("ConnectionTally counts opened, reused, server closes and re-sends from the record columns", () => {
  const stats = tally([
    record({ connection: "new", connectMs: 2 }), // opened a connection
    record({ connection: "reused" }), // kept alive from the first
    record({ connection: "reused", resent: true, connectMs: 4, serverCloses: 1 }), // stale: re-sent on a new one
    record({ connection: "new", connectMs: Number.NaN, failure: "connect" }), // refused: opened, never up
    record({ connection: "new", connectMs: 6, serverCloses: 2 }), // two closes seen before it ended
    record({ connection: "none", failure: "other" }), // never reached the transport
  ]).close(percentiles);
  expect(stats).toEqual({
    opened: 4, // three first attempts on a new connection + one re-send
    reused: 2,
    closedByServer: 3,
    resent: 1,
    connectMs: { mean: 4, min: 2, median: 4, p90: 5.6, max: 6 },
    exact: true,
  });
});

test("ConnectionTally of no connection that came up has a null connect-time summary", () => {
  expect(tally([record({ connection: "reused" })]).close(percentiles)).toMatchObject({
    opened: 0,
    reused: 1,
    connectMs: null,
  });
});

const recordArb: fc.Arbitrary<RequestRecord> = fc
  .record({
    connection: fc.constantFrom("new", "reused", "none"),
    connectMs: fc.oneof(fc.constant(Number.NaN), fc.double({ min: 0, max: 50, noNaN: true })),
    resent: fc.boolean(),
    serverCloses: fc.integer({ min: 0, max: 3 }),
  })
  .map((columns) => record(columns as Partial<RequestRecord>));

test("ConnectionTally.merge() is associative and equals one tally of every record (property)", () => {
  fc.assert(
    fc.property(
      fc.array(recordArb, { maxLength: 20 }),
      fc.array(recordArb, { maxLength: 20 }),
      fc.array(recordArb, { maxLength: 20 }),
      (a, b, c) => {
        const [ta, tb, tc] = [tally(a), tally(b), tally(c)];
        const left = ConnectionTally.merge(ConnectionTally.merge(ta, tb), tc).close(percentiles);
        const right = ConnectionTally.merge(ta, ConnectionTally.merge(tb, tc)).close(percentiles);
        const whole = tally([...a, ...b, ...c]).close(percentiles);
        expect(left).toEqual(whole);
        expect(right).toEqual(whole);
      },
    ),
    { numRuns: 200 },
  );
});
