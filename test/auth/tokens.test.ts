/**
 * The secret primitives every credential check rests on (auth/tokens.ts): SHA-256 as lowercase
 * hex, checked against published test vectors, and digest comparison that answers true only
 * for identical digests.
 */
import { describe, expect, test } from "bun:test";
import { digestsEqual, generateApiKey, generateOpaqueToken, looksLikeApiKey, sha256Hex } from "../../src/auth/tokens";

describe("sha256Hex", () => {
  test("matches the FIPS 180-2 test vectors", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  test("hashes the UTF-8 bytes of the text", () => {
    // "é" is two bytes in UTF-8: the digest of those bytes, not of one Latin-1 byte.
    expect(sha256Hex("é")).toBe(new Bun.CryptoHasher("sha256").update(new Uint8Array([0xc3, 0xa9])).digest("hex"));
  });
});

describe("digestsEqual", () => {
  const digest = sha256Hex("a key");

  test("is true only for the same digest", () => {
    expect(digestsEqual(digest, sha256Hex("a key"))).toBe(true);
    expect(digestsEqual(digest, sha256Hex("another key"))).toBe(false);
  });

  test("a single differing character, first or last, is a mismatch", () => {
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "0" ? "1" : "0") + s.slice(i + 1);
    expect(digestsEqual(digest, flip(digest, 0))).toBe(false);
    expect(digestsEqual(digest, flip(digest, digest.length - 1))).toBe(false);
  });

  test("different lengths and empty digests never match", () => {
    expect(digestsEqual(digest, digest.slice(0, -2))).toBe(false);
    expect(digestsEqual(digest + "00", digest)).toBe(false);
    expect(digestsEqual("", "")).toBe(false);
  });
});

describe("generated secrets", () => {
  test("an API key looks like one, and its stored hash is the SHA-256 of the whole key", () => {
    const { key, prefix, hash } = generateApiKey();
    expect(looksLikeApiKey(key)).toBe(true);
    expect(key.startsWith(prefix)).toBe(true);
    expect(hash).toBe(sha256Hex(key));
  });

  test("opaque tokens are 43 base62 characters, stored as their hash, never twice the same", () => {
    const a = generateOpaqueToken();
    const b = generateOpaqueToken();
    expect(a.token).toMatch(/^[0-9A-Za-z]{43}$/);
    expect(a.hash).toBe(sha256Hex(a.token));
    expect(a.token).not.toBe(b.token);
  });
});
