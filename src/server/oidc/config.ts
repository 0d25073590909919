/**
 * The `--trusted-publisher` configuration: which OIDC issuers the index trusts (and where their
 * keys are), and which CI identities may publish which projects. JSON or TOML, same keys:
 *
 *   audience = "pypi"                # optional, PyPI's default
 *   tokenLifetimeSeconds = 900       # optional, PyPI's 15 minutes
 *   [[issuers]]
 *   url = "https://token.actions.githubusercontent.com"
 *   kind = "github"                  # or "gitlab"
 *   jwksUrl = "https://token.actions.githubusercontent.com/.well-known/jwks"   # or: jwks = { keys = [...] }
 *   [[publishers]]
 *   kind = "github"
 *   projects = ["my-package"]
 *   repository = "owner/repo"
 *   workflow = "release.yml"
 *   environment = "pypi"             # optional: any environment when absent
 *   [[publishers]]
 *   kind = "gitlab"
 *   projects = ["my-package"]
 *   projectPath = "group/project"
 *   ciConfigPath = ".gitlab-ci.yml"
 */
import type { JsonWebKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parse as parseToml } from "smol-toml";
import { isValidName, normalizeName } from "../../core/names/name.ts";
import { SlipwayError } from "../../errors.ts";

export type PublisherKind = "github" | "gitlab";

export interface TrustedIssuer {
  url: string;
  kind: PublisherKind;
  jwksUrl?: string;
  jwks?: { keys: JsonWebKey[] };
}

export type Publisher =
  | { kind: "github"; projects: string[]; repository: string; workflow: string; environment?: string }
  | { kind: "gitlab"; projects: string[]; projectPath: string; ciConfigPath: string; environment?: string };

export interface TrustedPublishingConfig {
  audience: string;
  tokenLifetimeSeconds: number;
  issuers: TrustedIssuer[];
  publishers: Publisher[];
}

const MAX_CONFIG_BYTES = 1024 * 1024;

function bad(where: string, message: string): SlipwayError {
  const at = where === "" ? "" : ` ${where}`;
  return new SlipwayError("usage", `trusted publisher config${at}: ${message}`, {
    hint: "See docs/index-server.md, 'Trusted publishing', for the file's shape.",
  });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function str(o: Obj, key: string, where: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw bad(where, `'${key}' must be a non-empty string`);
  return v;
}

function kindOf(o: Obj, where: string): PublisherKind {
  if (o.kind !== "github" && o.kind !== "gitlab") throw bad(where, '\'kind\' must be "github" or "gitlab"');
  return o.kind;
}

function parseIssuer(o: unknown, where: string): TrustedIssuer {
  if (!isObj(o)) throw bad(where, "must be a table");
  const url = str(o, "url", where) ?? "";
  if (!URL.canParse(url)) throw bad(where, `'url' ${JSON.stringify(url)} is not a URL`);
  const issuer: TrustedIssuer = { url, kind: kindOf(o, where) };
  const jwksUrl = str(o, "jwksUrl", where, true);
  if (jwksUrl !== undefined) {
    const parsed = URL.parse(jwksUrl);
    if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:"))
      throw bad(where, "'jwksUrl' is not an http(s) URL");
    issuer.jwksUrl = jwksUrl;
  }
  if (o.jwks !== undefined) {
    if (!isObj(o.jwks) || !Array.isArray(o.jwks.keys) || !o.jwks.keys.every(isObj))
      throw bad(where, "'jwks' must be a JWKS: { keys: [...] }");
    issuer.jwks = { keys: o.jwks.keys as JsonWebKey[] };
  }
  if ((issuer.jwks === undefined) === (issuer.jwksUrl === undefined))
    throw bad(where, "give exactly one of 'jwksUrl' and 'jwks'");
  return issuer;
}

function parsePublisher(o: unknown, where: string): Publisher {
  if (!isObj(o)) throw bad(where, "must be a table");
  const kind = kindOf(o, where);
  const projects = o.projects;
  if (
    !Array.isArray(projects) ||
    projects.length === 0 ||
    !projects.every((p) => typeof p === "string" && isValidName(p))
  )
    throw bad(where, "'projects' must be a non-empty list of valid project names");
  const names = projects.map((p: string) => normalizeName(p));
  const environment = str(o, "environment", where, true);
  const env = environment === undefined ? {} : { environment };
  if (kind === "github") {
    const repository = str(o, "repository", where) ?? "";
    if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) throw bad(where, "'repository' must be OWNER/NAME");
    const workflow = str(o, "workflow", where) ?? "";
    if (workflow.includes("/")) throw bad(where, "'workflow' is the file name (release.yml), not a path");
    return { kind, projects: names, repository, workflow, ...env };
  }
  const projectPath = str(o, "projectPath", where) ?? "";
  const ciConfigPath = str(o, "ciConfigPath", where) ?? "";
  return { kind, projects: names, projectPath, ciConfigPath, ...env };
}

/** Checks a parsed config document; throws a usage error naming the first problem. */
export function parseTrustedPublishingConfig(doc: unknown): TrustedPublishingConfig {
  if (!isObj(doc)) throw bad("", "must be a table/object");
  const audience = doc.audience === undefined ? "pypi" : (str(doc, "audience", "") ?? "pypi");
  const lifetime = doc.tokenLifetimeSeconds ?? 900;
  if (typeof lifetime !== "number" || !Number.isInteger(lifetime) || lifetime <= 0 || lifetime > 86_400)
    throw bad("", "'tokenLifetimeSeconds' must be a whole number of seconds in 1..86400");
  if (!Array.isArray(doc.issuers) || doc.issuers.length === 0)
    throw bad("", "'issuers' must be a non-empty list");
  const issuers = doc.issuers.map((o, i) => parseIssuer(o, `issuers[${i}]`));
  if (!Array.isArray(doc.publishers)) throw bad("", "'publishers' must be a list");
  const publishers = doc.publishers.map((o, i) => parsePublisher(o, `publishers[${i}]`));
  return { audience, tokenLifetimeSeconds: lifetime, issuers, publishers };
}

/** Reads CONFIG (`.json` as JSON, anything else as TOML) and checks it. */
export async function loadTrustedPublishingConfig(path: string): Promise<TrustedPublishingConfig> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_CONFIG_BYTES) throw new Error("larger than 1 MiB");
    text = bytes.toString("utf8");
  } catch (cause) {
    throw new SlipwayError(
      "io",
      `cannot read the trusted publisher config ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  let doc: unknown;
  try {
    doc = path.endsWith(".json") ? JSON.parse(text) : parseToml(text);
  } catch (cause) {
    throw bad(
      path,
      `not valid ${path.endsWith(".json") ? "JSON" : "TOML"}: ${(cause as Error).message.split("\n")[0]}`,
    );
  }
  return parseTrustedPublishingConfig(doc);
}
