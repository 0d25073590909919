/** The OLD/NEW operands `status diff` and `status decide` share, and standard input read bounded. */

import { SlipwayError } from "../../errors.ts";
import type { StatusSource } from "../../ops/status-diff.ts";
import { MAX_DIFF_DOCUMENT_BYTES } from "../../ops/status-diff.ts";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new SlipwayError("usage", "- reads the document from standard input, which is a terminal", {
      hint: "pipe it in: slipway status --json | slipway status diff old.json -",
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_DIFF_DOCUMENT_BYTES) {
      throw new SlipwayError("usage", `standard input: larger than ${MAX_DIFF_DOCUMENT_BYTES} bytes`, {
        hint: "give the SecurityStatus JSON that `slipway status` wrote",
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** OLD and NEW from the positionals and `--from-url`; `-` is standard input (NEW only). */
export async function statusSources(
  positionals: readonly string[],
  fromUrl: string | undefined,
  usage: string,
): Promise<{ older: StatusSource; newer: StatusSource }> {
  const wanted = fromUrl === undefined ? 2 : 1;
  if (positionals.length !== wanted) {
    throw new SlipwayError(
      "usage",
      fromUrl === undefined
        ? `two documents to compare, OLD and NEW, not ${positionals.length}`
        : `one document (NEW) besides --from-url, not ${positionals.length}`,
      { hint: usage },
    );
  }
  const [first, second] = positionals as [string, string | undefined];
  const oldName = fromUrl === undefined ? first : undefined;
  const newName = fromUrl === undefined ? (second as string) : first;
  if (oldName === "-") {
    throw new SlipwayError("usage", "only NEW can be standard input (-)", { hint: usage });
  }
  const older: StatusSource = fromUrl !== undefined ? { url: fromUrl } : { file: oldName as string };
  const newer: StatusSource =
    newName === "-" ? { text: await readStdin(), name: "standard input" } : { file: newName };
  return { older, newer };
}

/** `--timeout SECONDS` in milliseconds (default 30 s); a number from 0.1 to 600. */
export function timeoutMs(value: string | undefined): number {
  if (value === undefined) return 30_000;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds < 0.1 || seconds > 600) {
    throw new SlipwayError("usage", `--timeout ${value}: not a number of seconds from 0.1 to 600`, {
      hint: "e.g. --timeout 10",
    });
  }
  return Math.round(seconds * 1000);
}
