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
  return decodeUtf8(await readBytesCapped(request, limit));
}

/** One decoder for every body: a non-streaming decode() starts from a clean state each time. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 bytes as text, or a 400 when they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ApiError("invalid_request", "request body is not valid UTF-8 text");
  }
}

/**
 * A client that closes its connection in the middle of its body (an aborted upload) makes the
 * read fail with an AbortError: that is the client's doing, a 400 in the log, not a 500.
 */
function cutOff(error: unknown): never {
  if (error instanceof Error && error.name === "AbortError") {
    throw new ApiError("invalid_request", "the request body was cut off: the client closed the connection before sending all of it");
  }
  throw error;
}

/** The body's bytes, with the same cap (imports hand them to a worker undecoded). */
export async function readBytesCapped(request: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new ApiError("body_too_large", `request body is larger than ${limit} bytes`);
  const declared = request.headers.get("content-length");
  if (Number(declared ?? "0") > limit) throw tooLarge();
  if (declared !== null && /^\d+$/.test(declared)) {
    // HTTP frames the body by its Content-Length (checked above), so one read into one buffer:
    // reading it in chunks and joining them held a 16 MB import twice. An in-process Request
    // may carry a wrong length; its body is already in memory, and is measured here.
    // `request.body` is not touched on this path: reading it makes Bun build a ReadableStream
    // that arrayBuffer() then drains (the review measured ~46 µs per small JSON POST).
    const bytes = new Uint8Array(await request.arrayBuffer().catch(cutOff));
    if (bytes.byteLength > limit) throw tooLarge();
    return bytes;
  }
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch(cutOff);
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  // Not Buffer.concat: small results come from a shared pool, and this buffer may be transferred.
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
