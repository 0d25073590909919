/**
 * Checks of a candidate secret's own content: Shannon entropy (gitleaks' `entropy`) and the
 * CRC32 checksum GitHub's token formats carry.
 */
import { crc32 } from "node:zlib";

/** Shannon entropy in bits per character (gitleaks `detect/utils.go` shannonEntropy). */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  const length = [...text].length;
  for (const n of counts.values()) {
    const p = n / length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `n` in base62 (digits, upper, lower case), left-padded with "0" to `width`. */
export function base62(n: number, width = 6): string {
  let out = "";
  let rest = n;
  do {
    out = BASE62[rest % 62]! + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out.padStart(width, "0");
}

/**
 * Whether a `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` token's last 6 characters are the base62 CRC32 of
 * the 30 random characters before them (the prefix is not hashed). Random strings of the right
 * shape pass with odds of about one in 57 billion, so a failing token is not a GitHub token.
 * https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
 */
export function githubChecksumValid(token: string): boolean {
  const m = /^gh[pousr]_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/.exec(token);
  if (m === null) return false;
  return base62(crc32(m[1]!)) === m[2];
}

/** A syntactically valid token with its checksum: for tests and documentation examples. */
export function withGithubChecksum(prefix: "ghp" | "gho" | "ghu" | "ghs" | "ghr", random: string): string {
  if (!/^[0-9A-Za-z]{30}$/.test(random)) throw new Error("the random part is 30 base62 characters");
  return `${prefix}_${random}${base62(crc32(random))}`;
}
