/**
 * Secrets: API keys, session cookies and sign-in tokens.
 * All come from the CSPRNG; only their SHA-256 (hex) is stored; comparisons of secret
 * material are constant-time. Plaintext is returned to the caller once and never logged.
 */
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` base62 characters, uniformly distributed (rejection sampling, no modulo bias). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      if (byte < 248) out += BASE62[byte % 62]; // 248 = 62 * 4: values above would bias
      if (out.length === length) break;
    }
  }
  return out;
}

export const API_KEY_PREFIX = "ipc_";
export const API_KEY_LENGTH = API_KEY_PREFIX.length + 40;
/** Shown in lists to identify a key: `ipc_` and the next 8 characters. */
export const API_KEY_DISPLAY_PREFIX_LENGTH = 12;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBase62(40);
  return { key, prefix: key.slice(0, API_KEY_DISPLAY_PREFIX_LENGTH), hash: sha256Hex(key) };
}

export function looksLikeApiKey(text: string): boolean {
  return text.length === API_KEY_LENGTH && text.startsWith(API_KEY_PREFIX) && /^[0-9A-Za-z]+$/.test(text.slice(4));
}

/** Session cookies and sign-in tokens: 43 base62 characters (~256 bits). */
export function generateOpaqueToken(): { token: string; hash: string } {
  const token = randomBase62(43);
  return { token, hash: sha256Hex(token) };
}

// Bun's own hashing, not node:crypto: importing that module loads Node's stream machinery,
// ~50 ms of every boot (issue 16), and Bun.SHA256 is also the fastest of the three here.
export function sha256Hex(text: string): string {
  return Bun.SHA256.hash(text, "hex");
}

/**
 * Constant-time equality of two digests as lowercase hex (false on length mismatch): every
 * character is compared whatever the first difference, so the time says nothing of where it is.
 */
export function digestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
