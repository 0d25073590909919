/** Little-endian field access and name decoding shared by the zip and tar parsers. */

export const u16 = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);

export const u32 = (b: Uint8Array, at: number): number =>
  ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16)) + (b[at + 3] ?? 0) * 0x1000000;

/**
 * A 64-bit field as a number. Values above 2^53 cannot be offsets or sizes of a real file, so
 * they saturate to Infinity and fail every later bounds check instead of wrapping around.
 */
export function u64(b: Uint8Array, at: number): number {
  const high = u32(b, at + 4);
  if (high >= 0x200000) return Number.POSITIVE_INFINITY;
  return high * 0x100000000 + u32(b, at);
}

/** True when `b` holds `sig` at `at`. */
export function hasBytes(b: Uint8Array, at: number, sig: readonly number[]): boolean {
  if (at < 0 || at + sig.length > b.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");

/** The UTF-8 text of `bytes`, or undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 with U+FFFD for invalid sequences: a name we can still show and compare. */
export const decodeUtf8Lenient = (bytes: Uint8Array): string => lenientUtf8.decode(bytes);

/** One byte per character; for ASCII-only fields such as tar numbers and magic strings. */
export const decodeLatin1 = (bytes: Uint8Array): string => latin1.decode(bytes);

/** True when `bytes` contains a C0 control byte or DEL (warehouse UNPRINTABLE_CHARS). */
// Index loops: these run on every member name, and iterating a typed array makes a result
// object per byte until V8 optimizes the loop.
export function hasControlBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte < 0x20 || byte === 0x7f) return true;
  }
  return false;
}

export function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
