/**
 * Everything a tokenless GitHub Actions release job talks to, on loopback: the test OIDC issuer,
 * a stand-in of GitHub's token endpoint (the job's request bearer in, an ID token for the asked
 * audience out — `pypi` for the mint, `sigstore` for signing), the Sigstore stand-in, and an
 * embedded index playing PyPI with a trusted publisher and the stand-in's trust root for
 * attestations. `env()` is the job's environment; `issued` every ID token handed out, so tests
 * can prove none reaches any output.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { readTrustRoot } from "../../src/core/attest/verify.ts";
import type { IndexEvent } from "../../src/server/events.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { startIssuer, type TestIssuer } from "./oidc-issuer.ts";
import { type SigstoreStandIn, startSigstore } from "./sigstore.ts";

export interface TrustedWorld {
  issuer: TestIssuer;
  sigstore: SigstoreStandIn;
  index: RunningIndex;
  /** Events of the index, in order. */
  events: IndexEvent[];
  /** Every ID token the token endpoint gave out. */
  issued: string[];
  /** The request bearer of the job (a canary: it must never print). */
  bearer: string;
  /** The workflow file the token endpoint names in its tokens (a test may switch it). */
  workflow: string;
  /** A GitHub Actions job's environment with the OIDC permission (`id-token: write`). */
  env(): Record<string, string>;
  /** `--fulcio … --rekor … --trust-root …` for the stand-in. */
  sigstoreArgs(): string[];
  close(): Promise<void>;
}

export async function startTrustedWorld(options: {
  root: string;
  /** Projects the publisher may upload (default: none but these). */
  projects: string[];
  repository: string;
  workflow: string;
}): Promise<TrustedWorld> {
  const issuer = await startIssuer();
  const sigstore = await startSigstore({ issuers: [{ iss: issuer.url, jwks: issuer.jwks }] });
  const trust = readTrustRoot(sigstore.trustedRoot, "the stand-in's trusted root");
  if (!trust.ok) throw new Error(trust.error);
  const events: IndexEvent[] = [];
  const index = await startIndex({
    root: join(options.root, "pypi"),
    trustedPublishing: {
      audience: "pypi",
      tokenLifetimeSeconds: 900,
      issuers: [{ url: issuer.url, kind: "github", jwksUrl: issuer.jwksUrl }],
      publishers: [
        {
          kind: "github",
          projects: options.projects,
          repository: options.repository,
          workflow: options.workflow,
        },
      ],
    },
    attestationTrustRoot: trust.value,
    onEvent: (e) => events.push(e),
  });
  const world: TrustedWorld = {
    issuer,
    sigstore,
    index,
    events,
    issued: [],
    bearer: `gh-request-bearer-canary-${Math.random().toString(16).slice(2, 10)}`,
    workflow: options.workflow,
    env: () => ({
      PATH: process.env["PATH"] ?? "",
      HOME: options.root,
      GITHUB_ACTIONS: "true",
      ACTIONS_ID_TOKEN_REQUEST_URL: tokenUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.bearer,
    }),
    sigstoreArgs: () => [
      ...["--fulcio", sigstore.fulcioUrl, "--rekor", sigstore.rekorUrl],
      ...["--trust-root", sigstore.trustedRootPath],
    ],
    close: async () => {
      github.closeAllConnections();
      await new Promise<void>((done) => github.close(() => done()));
      await index.close();
      await sigstore.close();
      await issuer.close();
    },
  };
  const github = createServer((req, res) => {
    const audience = new URL(req.url ?? "/", "http://localhost").searchParams.get("audience");
    if (
      req.headers.authorization !== `Bearer ${world.bearer}` ||
      (audience !== "pypi" && audience !== "sigstore")
    ) {
      res.writeHead(401).end();
      return;
    }
    const jwt = issuer.sign(
      issuer.github({ repository: options.repository, workflow: world.workflow, aud: audience }),
    );
    world.issued.push(jwt);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: jwt }));
  });
  await new Promise<void>((done) => github.listen(0, "127.0.0.1", () => done()));
  const tokenUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}/token?api-version=2.0`;
  return world;
}

/** Every credential of `world` out of `output`, but the `::add-mask::` lines GitHub needs. */
export function credentialsIn(world: TrustedWorld, output: string): string[] {
  const rest = output
    .split("\n")
    .filter((line) => !line.startsWith("::add-mask::"))
    .join("\n");
  const found = [world.bearer, ...world.issued, ...world.issued.map((t) => t.split(".")[1] ?? "")].filter(
    (secret) => secret !== "" && rest.includes(secret),
  );
  if (/pypi-[A-Za-z0-9_-]{20,}/.test(rest)) found.push("a minted pypi- token");
  return found;
}
