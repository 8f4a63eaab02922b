// The request shapes a body test goes through: every API type, streaming on and off, ignore_eos on
// and off, and (`withFormats`) a response format and the chat-template flag. Test helper.
import type { RequestConfig, ResponseFormatConfig } from "./request.ts";

const schema: ResponseFormatConfig = {
  type: "json_schema",
  name: "answer",
  json_schema: { type: "object", properties: { max_tokens: { type: "integer" } } },
};

/** [name, config] rows for test.each, with `model` as server.model_name. */
export function requestShapes(model: string, withFormats = false): [string, RequestConfig][] {
  const shapes: [string, RequestConfig][] = [];
  for (const type of ["completion", "chat", "anthropic_messages"]) {
    for (const streaming of [false, true]) {
      for (const ignoreEos of [false, true]) {
        shapes.push([
          `${type}, streaming ${streaming}, ignore_eos ${ignoreEos}`,
          { api: { type, streaming }, server: { model_name: model, ignore_eos: ignoreEos } },
        ]);
      }
    }
    if (!withFormats) continue;
    shapes.push([
      `${type} with a json_schema response format`,
      { api: { type, streaming: true, response_format: schema } },
    ]);
    shapes.push([
      `${type} with json_object and a chat template`,
      {
        api: {
          type,
          streaming: false,
          response_format: { type: "json_object", name: "", json_schema: null },
        },
        data: { use_chat_template: true },
      },
    ]);
  }
  return shapes;
}
