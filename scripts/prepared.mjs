// The one way the test preparations (scripts/peers.mjs, example-venv.mjs, example-wheelhouse.mjs,
// npm-pack-prep.mjs) keep what they download: a directory under .cache/ keyed by the hash of
// what it is made from, stamped `.complete` when whole, so an interrupted run leaves nothing that
// passes for done. Directories that can move are made beside their place and renamed in; a venv
// cannot (its scripts hold its path) and is made in place, stamped last. With `--offline` (the
// tests' way) nothing is downloaded: a missing directory fails and says how to get it.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const offline = process.argv.includes("--offline");

/** A short key for the bytes of `file` (or a string). */
export function keyOf(fileOrText, { text = false } = {}) {
  return createHash("sha256")
    .update(text ? fileOrText : readFileSync(fileOrText))
    .digest("hex")
    .slice(0, 12);
}

/**
 * Makes `dir` once with `fill(target)`. `script` names the preparation in messages (and how to
 * run it online); `what` says what is being made; `inPlace` for a venv.
 */
export function prepared(dir, { script, what, inPlace = false }, fill) {
  if (existsSync(join(dir, ".complete"))) return;
  if (offline) {
    process.stderr.write(
      `${script}: ${dir} is missing; run \`node scripts/${script}.mjs\` (needs the network) first\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`${script}: ${what} into ${dir}\n`);
  const target = inPlace ? dir : `${dir}.tmp-${process.pid}`;
  rmSync(target, { recursive: true, force: true });
  mkdirSync(inPlace ? dirname(dir) : target, { recursive: true });
  fill(target);
  writeFileSync(join(target, ".complete"), "ok\n");
  if (inPlace) return;
  rmSync(dir, { recursive: true, force: true });
  renameSync(target, dir);
}
