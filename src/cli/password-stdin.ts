import { SlipwayError } from "../errors.ts";
import { Secret } from "../secret.ts";

/** `--password-stdin`: the token from standard input, which must not be a terminal. */
export async function readPasswordFromStdin(command: string): Promise<Secret> {
  if (process.stdin.isTTY) {
    throw new SlipwayError(
      "usage",
      "--password-stdin reads the token from standard input, which is a terminal",
      {
        hint: `Pipe it in: printf '%s' "$TOKEN" | slipway ${command} --password-stdin`,
      },
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  // Like `docker login --password-stdin`: the trailing newline of `echo` is not part of the token.
  return new Secret(
    Buffer.concat(chunks)
      .toString("utf8")
      .replace(/[\r\n]+$/, ""),
  );
}
