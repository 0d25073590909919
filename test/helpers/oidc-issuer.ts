/**
 * A small OIDC issuer for tests: its own RS256 and ES256 key pairs, a JWKS served on loopback,
 * and GitHub- or GitLab-shaped ID tokens with any claims, expiry, header or signing key.
 */
import { createSign, generateKeyPairSync, type JsonWebKey, type KeyObject, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type Alg = "RS256" | "ES256";

interface Pair {
  kid: string;
  privateKey: KeyObject;
  jwk: JsonWebKey;
}

function pair(alg: Alg, kid: string): Pair {
  const { privateKey, publicKey } =
    alg === "RS256"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg, use: "sig" } };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export interface SignOptions {
  alg?: Alg;
  /** Override or add header fields (e.g. `{ alg: "none" }`, another kid). */
  header?: Record<string, unknown>;
  /** Sign with a key the JWKS does not hold (a forged token). */
  foreignKey?: boolean;
}

export interface TestIssuer {
  /** The issuer URL (`iss`): the loopback server's origin. */
  url: string;
  jwksUrl: string;
  jwks: { keys: JsonWebKey[] };
  /** Number of JWKS fetches served. */
  fetches(): number;
  sign(claims: Record<string, unknown>, options?: SignOptions): string;
  /** GitHub Actions-shaped claims for `repository` and `workflow` (a file in .github/workflows/). */
  github(over: {
    repository: string;
    workflow: string;
    environment?: string;
    aud?: string;
    lifetime?: number;
  }): Record<string, unknown>;
  /** GitLab CI-shaped claims for `projectPath` and its CI file. */
  gitlab(over: {
    projectPath: string;
    ciConfigPath: string;
    environment?: string;
    aud?: string;
    lifetime?: number;
  }): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<TestIssuer> {
  const keys = { RS256: pair("RS256", "rsa-1"), ES256: pair("ES256", "ec-1") };
  const foreign = { RS256: pair("RS256", "rsa-1"), ES256: pair("ES256", "ec-1") };
  const jwks = { keys: [keys.RS256.jwk, keys.ES256.jwk] };
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks") {
      fetches += 1;
      const body = JSON.stringify(jwks);
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = () => Math.floor(Date.now() / 1000);
  const times = (lifetime = 300) => ({ iat: now(), nbf: now(), exp: now() + lifetime, jti: randomUUID() });
  return {
    url,
    jwksUrl: `${url}/.well-known/jwks`,
    jwks,
    fetches: () => fetches,
    sign(claims, options = {}) {
      const alg = options.alg ?? "RS256";
      const key = (options.foreignKey ? foreign : keys)[alg];
      const header = { alg, typ: "JWT", kid: key.kid, ...options.header };
      const input = `${b64(header)}.${b64(claims)}`;
      const signer = createSign("sha256").update(input);
      const signature =
        alg === "RS256"
          ? signer.sign(key.privateKey)
          : signer.sign({ key: key.privateKey, dsaEncoding: "ieee-p1363" });
      return `${input}.${signature.toString("base64url")}`;
    },
    github({ repository, workflow, environment, aud = "pypi", lifetime }) {
      const ref = "refs/heads/main";
      const workflowRef = `${repository}/.github/workflows/${workflow}@${ref}`;
      return {
        iss: url,
        aud,
        sub: `repo:${repository}:${environment === undefined ? `ref:${ref}` : `environment:${environment}`}`,
        repository,
        repository_owner: repository.split("/")[0],
        repository_owner_id: "1234",
        workflow_ref: workflowRef,
        job_workflow_ref: workflowRef,
        ref,
        event_name: "push",
        ...(environment === undefined ? {} : { environment }),
        ...times(lifetime),
      };
    },
    gitlab({ projectPath, ciConfigPath, environment, aud = "pypi", lifetime }) {
      const ref = "main";
      return {
        iss: url,
        aud,
        sub: `project_path:${projectPath}:ref_type:branch:ref:${ref}`,
        project_path: projectPath,
        namespace_path: projectPath.split("/")[0],
        ref,
        ref_type: "branch",
        ci_config_ref_uri: `gitlab.com/${projectPath}//${ciConfigPath}@refs/heads/${ref}`,
        ...(environment === undefined ? {} : { environment }),
        ...times(lifetime),
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
