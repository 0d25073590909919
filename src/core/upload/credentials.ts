/**
 * Which username and password an upload uses: flags, then TWINE_USERNAME/TWINE_PASSWORD, then
 * the URL's own userinfo or the .pypirc section, as twine decides (twine/auth.py,
 * utils.get_userpass_value). The password is a Secret from the moment it is read.
 */
import type { Secret } from "../../secret.ts";
import type { UploadTarget } from "./targets.ts";

/** PyPI's username for API tokens; twine's default for PyPI, slipway's for every index. */
export const TOKEN_USERNAME = "__token__";

export type CredentialSource = "flag" | "env" | "url" | "pypirc" | "default";

export interface CredentialInput {
  /** `--username`. */
  username?: string;
  /** `--password-stdin` (or the library's `password` option). */
  password?: Secret;
  /** TWINE_USERNAME; an empty value counts as unset. */
  envUsername?: string;
  /** TWINE_PASSWORD; an empty value counts as unset. */
  envPassword?: Secret;
  target: UploadTarget;
}

export interface Credentials {
  username: string;
  /** Undefined when no password was found anywhere: the upload then carries no Authorization. */
  password?: Secret;
  usernameFrom: CredentialSource;
  passwordFrom?: CredentialSource;
}

/**
 * Picks each of username and password from the first source that has it. A URL with userinfo
 * and a .pypirc section both sit below flags and the environment; the username falls back to
 * `__token__`.
 */
export function resolveCredentials(input: CredentialInput): Credentials {
  const target = input.target;
  const configured = target.urlCredentials ?? target.pypirc;
  const configuredFrom: CredentialSource = target.urlCredentials === undefined ? "pypirc" : "url";
  const usernames: [string | undefined, CredentialSource][] = [
    [input.username, "flag"],
    [input.envUsername || undefined, "env"],
    [configured?.username || undefined, configuredFrom],
  ];
  const passwords: [Secret | undefined, CredentialSource][] = [
    [input.password, "flag"],
    [input.envPassword?.empty ? undefined : input.envPassword, "env"],
    [configured?.password?.empty ? undefined : configured?.password, configuredFrom],
  ];
  const user = usernames.find(([value]) => value !== undefined);
  const pass = passwords.find(([value]) => value !== undefined);
  const credentials: Credentials = {
    username: user?.[0] ?? TOKEN_USERNAME,
    usernameFrom: user?.[1] ?? "default",
  };
  if (pass?.[0] !== undefined) {
    credentials.password = pass[0];
    credentials.passwordFrom = pass[1];
  }
  return credentials;
}
