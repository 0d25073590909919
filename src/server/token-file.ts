/**
 * The embedded index's upload token: read from a file the user names, or a new random one
 * written to `<root>/.slipway-token` (mode 0600) at every start, so a client on this machine can
 * read it and no other user can.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { readText, writeFileAtomic } from "../adapters/fs.ts";
import { SlipwayError } from "../errors.ts";

export const TOKEN_FILE = ".slipway-token";

/** The token and a sentence saying where it is; never the token itself in that sentence. */
export async function prepareIndexToken(
  root: string,
  tokenFile: string | undefined,
): Promise<{ token: string; where: string }> {
  if (tokenFile !== undefined) {
    let token: string;
    try {
      token = (await readText(tokenFile)).trim();
    } catch (cause) {
      throw new SlipwayError(
        "config",
        `cannot read the token file ${tokenFile}: ${(cause as Error).message}`,
        {
          hint: "Give a file holding the token, or leave out --token-file to get a random one.",
          cause,
        },
      );
    }
    if (token === "") {
      throw new SlipwayError("config", `the token file ${tokenFile} is empty`, {
        hint: "Put the token in it.",
      });
    }
    return { token, where: `read from ${tokenFile}` };
  }
  const token = randomBytes(24).toString("base64url");
  const path = join(root, TOKEN_FILE);
  // Written beside and renamed, so the file never exists with a wider mode or half a token.
  await writeFileAtomic(path, `${token}\n`, { mode: 0o600, mkdirs: true });
  return { token, where: `in ${path} (new, mode 0600)` };
}
