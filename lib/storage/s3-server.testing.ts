// Test helper: a real S3 wire-protocol server (s3rver, objects on disk) behind a front that checks
// every request's AWS Signature Version 4, since s3rver itself checks only version 2. The signature
// is recomputed with the `aws4` library (another implementation than the client's aws4fetch), so a
// wrong key, a tampered header or body, or an unsigned request is refused with 403
// SignatureDoesNotMatch as S3 refuses it. Listens on 127.0.0.1, port 0.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import aws4 from "aws4";
import S3rver from "s3rver";

export interface S3TestServer {
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Requests refused for their signature. */
  refused(): number;
  stop(): Promise<void>;
}

/** `readOnly`: every correctly signed PUT is refused with 403 AccessDenied (a read-only bucket policy). */
export async function startS3TestServer(
  buckets: readonly string[],
  options: { readOnly?: boolean } = {},
): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), "inferload-s3-"));
  const accessKeyId = "S3RVER";
  const secretAccessKey = "S3RVER";
  const backend = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const { port: backendPort } = (await backend.run()) as { port: number };
  let refused = 0;
  const front = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (!signatureOk(req.method ?? "GET", req.url ?? "/", req.headers, body, secretAccessKey)) {
        refused++;
        const xml =
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>';
        res.writeHead(403, { "content-type": "application/xml" });
        res.end(req.method === "HEAD" ? undefined : xml);
        return;
      }
      if (options.readOnly === true && req.method === "PUT") {
        res.writeHead(403, { "content-type": "application/xml" });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
        );
        return;
      }
      const forward = httpRequest(
        { host: "127.0.0.1", port: backendPort, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  const address = front.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    accessKeyId,
    secretAccessKey,
    refused: () => refused,
    async stop() {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await backend.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Recomputes the SigV4 signature of a request from the headers it signed and compares it. */
function signatureOk(
  method: string,
  url: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  secretAccessKey: string,
): boolean {
  const auth = String(headers.authorization ?? "");
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (match === null) return false;
  const [, accessKeyId, region, signedHeaders, signature] = match as unknown as string[];
  const signed: Record<string, string> = {};
  for (const name of (signedHeaders as string).split(";")) signed[name] = String(headers[name] ?? "");
  const payloadHash = signed["x-amz-content-sha256"];
  const opts = aws4.sign(
    {
      host: signed.host ?? "",
      method,
      path: url,
      service: "s3",
      region: region as string,
      headers: signed,
      ...(payloadHash === undefined || payloadHash === "UNSIGNED-PAYLOAD" ? {} : { body }),
    },
    { accessKeyId: accessKeyId as string, secretAccessKey },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(opts.headers?.Authorization ?? ""))?.[1];
  return expected === signature;
}
