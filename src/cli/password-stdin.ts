import { SlipwayError } from "../errors.ts";
import { Secret } from "../secret.ts";

/** `--password-stdin`: the token from standard input, which must not be a terminal nor empty. */
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
  const value = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/[\r\n]+$/, "");
  if (value.trim() === "") {
    // An unset CI secret expands to nothing: better a usage error now than a refused upload later.
    throw new SlipwayError("usage", "--password-stdin read an empty token from standard input", {
      hint: `Check that the variable piped in is set: printf '%s' "$TOKEN" | slipway ${command} --password-stdin`,
    });
  }
  return new Secret(value);
}
