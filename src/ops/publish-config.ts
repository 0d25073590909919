/**
 * Reads what `publish` needs to know before touching a file: the target index (from
 * pyproject.toml's `[tool.slipway.indexes]`, `.pypirc`, the environment, or a URL) and the
 * credentials. Configuration mistakes are SlipwayErrors with code "config"; a token never
 * appears in one.
 */
import { join, resolve } from "node:path";
import { type ProjectSnapshot, snapshotOf } from "../adapters/snapshot.ts";
import { type Credentials, resolveCredentials } from "../core/upload/credentials.ts";
import { defaultPypirc, type Pypirc, parsePypirc } from "../core/upload/pypirc.ts";
import { resolveTarget, type UploadTarget } from "../core/upload/targets.ts";
import { SlipwayError } from "../errors.ts";
import { Secret } from "../secret.ts";

export interface PublishConfigInput {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Directory whose pyproject.toml may hold `[tool.slipway.indexes]` (default: cwd). */
  project?: string;
  /** `.pypirc` path; default `~/.pypirc`, which may be missing (an explicit one may not). */
  pypirc?: string;
  to?: string;
  checkUrl?: string;
  username?: string;
  password?: Secret;
  /** The command's snapshot of the project (read once); default: a new one. */
  snapshot?: ProjectSnapshot;
}

export interface PublishConfig {
  target: UploadTarget & { simpleUrl: string };
  credentials: Credentials;
}

async function readPypirc(snapshot: ProjectSnapshot, input: PublishConfigInput): Promise<Pypirc> {
  const { path, text } = await snapshot.pypirc({ cwd: input.cwd, env: input.env, explicit: input.pypirc });
  if (text === undefined) {
    if (input.pypirc !== undefined) {
      throw new SlipwayError("config", `${path} does not exist`, { hint: "Check the --pypirc path." });
    }
    return defaultPypirc();
  }
  const parsed = parsePypirc(text);
  if (!parsed.ok) {
    // Like twine (#1233), the error names a line, never its content: it may hold a token.
    throw new SlipwayError("config", `malformed ${path}: ${parsed.error}`, {
      hint: "See https://packaging.python.org/specifications/pypirc/ for the format.",
    });
  }
  return parsed.value;
}

/** Resolves target and credentials, or throws a SlipwayError("config") saying what to fix. */
export async function loadPublishConfig(input: PublishConfigInput): Promise<PublishConfig> {
  const dir = input.project ?? input.cwd;
  const snapshot = snapshotOf(resolve(input.cwd, dir), { snapshot: input.snapshot, env: input.env });
  const indexes = await snapshot.indexes(join(dir, "pyproject.toml"));
  const pypirc = await readPypirc(snapshot, input);
  const env = input.env;
  const resolved = resolveTarget({
    ...(input.to === undefined ? {} : { to: input.to }),
    ...(input.checkUrl === undefined ? {} : { checkUrl: input.checkUrl }),
    ...(env["TWINE_REPOSITORY_URL"] === undefined ? {} : { envRepositoryUrl: env["TWINE_REPOSITORY_URL"] }),
    ...(env["TWINE_REPOSITORY"] === undefined ? {} : { envRepository: env["TWINE_REPOSITORY"] }),
    indexes,
    pypirc,
  });
  if (!resolved.ok) {
    throw new SlipwayError(
      "config",
      resolved.error,
      resolved.hint === undefined ? {} : { hint: resolved.hint },
    );
  }
  const target = resolved.value;
  if (target.simpleUrl === undefined) {
    throw new SlipwayError("config", `no simple-API URL to look files up on ${target.uploadUrl}`, {
      hint: `Pass --check-url with the index's simple root (e.g. https://host/simple/), or set simple-url in [tool.slipway.indexes${target.name === undefined ? "" : `.${target.name}`}]: slipway decides "already there" by the sha256 the simple API lists, never by error texts.`,
    });
  }
  const credentials = resolveCredentials({
    ...(input.username === undefined ? {} : { username: input.username }),
    ...(input.password === undefined ? {} : { password: input.password }),
    ...(env["TWINE_USERNAME"] === undefined ? {} : { envUsername: env["TWINE_USERNAME"] }),
    ...(env["TWINE_PASSWORD"] === undefined ? {} : { envPassword: new Secret(env["TWINE_PASSWORD"]) }),
    target,
  });
  return { target: { ...target, simpleUrl: target.simpleUrl }, credentials };
}
