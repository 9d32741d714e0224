/**
 * Reading a request body as UTF-8 text with a size cap that holds even when the client sends
 * no Content-Length (chunked uploads, in-process requests): the read stops, and answers 413,
 * as soon as the cap is passed, instead of buffering whatever arrives.
 */
import { ApiError } from "./errors";

/**
 * CSV imports: 100,000 address rows (the row limit, features/io/import-thread.ts) are ~9 MB
 * with hostnames and descriptions; 16 MB leaves room for longer cells. Everything else keeps
 * MAX_BODY_BYTES.
 */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

export async function readTextCapped(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new ApiError("body_too_large", `request body is larger than ${limit} bytes`);
  if (Number(request.headers.get("content-length") ?? "0") > limit) throw tooLarge();
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiError("invalid_request", "request body is not valid UTF-8 text");
  }
}
