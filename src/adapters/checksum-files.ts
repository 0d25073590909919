/**
 * Reads for checksum verification: a text file read only up to a limit (a checksum file is
 * hostile input), and what a listed path is, without following it into a FIFO or device.
 */
import { open, stat } from "node:fs/promises";

export type LimitedText = { text: string } | { tooLarge: number } | { notUtf8: true };

/** The file's text when it is UTF-8 and at most `maxBytes`; never reads past the limit. */
export async function readTextLimited(path: string, maxBytes: number): Promise<LimitedText> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    if (size > maxBytes) return { tooLarge: size };
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > maxBytes) return { tooLarge: filled };
    }
    try {
      return {
        text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buffer.subarray(0, filled)),
      };
    } catch {
      return { notUtf8: true };
    }
  } finally {
    await fh.close();
  }
}

/** Whether `path` is a regular file (symlinks followed), is missing, or is something else. */
export async function pathKind(path: string): Promise<"file" | "missing" | "other"> {
  try {
    return (await stat(path)).isFile() ? "file" : "other";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ||
      (error as NodeJS.ErrnoException).code === "ENOTDIR"
      ? "missing"
      : "other";
  }
}
