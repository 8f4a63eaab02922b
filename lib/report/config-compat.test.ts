// The report and request modules read the config through narrow structural views; this checks (at
// type-check time, and trivially at run time) that the real resolved `Config` satisfies each of them.
import { expect, test } from "bun:test";
import type { RequestConfig } from "../api/request.ts";
import type { Config } from "../config/schema.ts";
import type { CollectorConfig } from "../metrics/collector.ts";
import type { WriteConfig } from "./write.ts";

test("the resolved Config satisfies the request, collector and writer config views", () => {
  const views = (config: Config): [RequestConfig, CollectorConfig, WriteConfig] => [config, config, config];
  expect(typeof views).toBe("function");
});
