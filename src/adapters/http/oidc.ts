/**
 * Trusted publishing over HTTP: the ambient OIDC token providers (GitHub Actions, GitLab CI,
 * Google Cloud's metadata server), the index's audience and the mint call. Every request has a
 * total deadline and a size cap; no redirect is followed (a bearer must not travel elsewhere);
 * no token is ever part of an error message.
 */
import { SlipwayError } from "../../errors.ts";
import { Secret } from "../../secret.ts";
import { transportFor } from "./agents.ts";
import { Deadline, displayUrl, formatSeconds } from "./exchange.ts";

export interface OidcHttp {
  userAgent: string;
  /** Each request, whole, within this long. */
  deadlineMs: number;
  signal?: AbortSignal;
}

const MAX_BYTES = 256 * 1024;

interface Answer {
  status: number;
  text: string;
}

/** One request with a total deadline and a size cap; resolves with any status, rejects on no answer. */
export function oidcRequest(
  url: string,
  init: { method: "GET" | "POST"; headers?: Record<string, string>; body?: string },
  http: OidcHttp,
): Promise<Answer> {
  const shown = displayUrl(url);
  return new Promise((resolve, reject) => {
    let settled = false;
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new SlipwayError("config", `${shown} is not a URL`));
      return;
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      reject(new SlipwayError("config", `${shown}: ${target.protocol} is not HTTP(S)`));
      return;
    }
    const transport = transportFor(target);
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const req = transport.request(target, {
      method: init.method,
      headers: {
        "User-Agent": http.userAgent,
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json", "Content-Length": body.length }),
        ...init.headers,
      },
      agent: transport.agent,
      ...(http.signal === undefined ? {} : { signal: http.signal }),
    });
    const fail = (what: string) => {
      if (settled) return;
      settled = true;
      deadline.stop();
      req.destroy();
      reject(
        new SlipwayError("network", `${shown}: ${what}`, {
          hint: "check the network and the URL; run again",
        }),
      );
    };
    const deadline = new Deadline(http.deadlineMs, () =>
      fail(`no complete answer within the ${formatSeconds(http.deadlineMs)} s deadline`),
    );
    req.on("error", (error) => fail(error.message.slice(0, 200)));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_BYTES) fail(`the answer is larger than ${MAX_BYTES} bytes`);
        else chunks.push(chunk);
      });
      res.on("error", (error) => fail(error.message.slice(0, 200)));
      res.on("end", () => {
        if (settled) return;
        settled = true;
        deadline.stop();
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.end(body);
  });
}

function jsonField(text: string, key: string): string | undefined {
  try {
    const value = (JSON.parse(text) as Record<string, unknown>)[key];
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** GitHub Actions: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with the request token as bearer. */
export async function githubOidcToken(
  requestUrl: string,
  requestToken: Secret,
  audience: string,
  http: OidcHttp,
): Promise<Secret> {
  const url = new URL(requestUrl);
  url.searchParams.set("audience", audience);
  const answer = await oidcRequest(
    url.href,
    { method: "GET", headers: { Authorization: `Bearer ${requestToken.reveal()}` } },
    http,
  );
  const value = answer.status === 200 ? jsonField(answer.text, "value") : undefined;
  if (value === undefined) {
    throw new SlipwayError(
      "network",
      `GitHub's OIDC token endpoint answered ${answer.status} without a token`,
      {
        hint: "the job needs `permissions: id-token: write`; run the job again if it has it",
      },
    );
  }
  return new Secret(value);
}

/** Google Cloud: the metadata server's identity token for the default service account. */
export async function googleOidcToken(
  metadataBase: string,
  audience: string,
  http: OidcHttp,
): Promise<Secret> {
  const url = new URL("computeMetadata/v1/instance/service-accounts/default/identity", metadataBase);
  url.searchParams.set("audience", audience);
  const answer = await oidcRequest(
    url.href,
    { method: "GET", headers: { "Metadata-Flavor": "Google" } },
    http,
  );
  const value = answer.text.trim();
  if (answer.status !== 200 || value.split(".").length !== 3) {
    throw new SlipwayError(
      "network",
      `the Google metadata server answered ${answer.status} without an identity token`,
      {
        hint: "the VM or service needs a service account; check `gcloud auth list` on it",
      },
    );
  }
  return new Secret(value);
}

/**
 * The audience the index wants in OIDC tokens (`GET <root>/_/oidc/audience`). 403: trusted
 * publishing turned off; 404: not supported (the same reading as twine's).
 */
export async function fetchAudience(root: string, http: OidcHttp): Promise<string> {
  const url = new URL("_/oidc/audience", root).href;
  const answer = await oidcRequest(url, { method: "GET" }, http);
  const audience = answer.status === 200 ? jsonField(answer.text, "audience") : undefined;
  if (audience !== undefined) return audience.slice(0, 200);
  const why =
    answer.status === 403
      ? "has trusted publishing turned off"
      : answer.status === 404
        ? "does not support trusted publishing"
        : `answered ${answer.status} for its OIDC audience`;
  throw new SlipwayError("config", `${displayUrl(root)} ${why}`, {
    hint: "publish with an API token instead (--password-stdin or TWINE_PASSWORD), or --trusted-publishing never",
  });
}

/** POST `<root>/_/oidc/mint-token` `{"token": jwt}`: the raw answer, read by core's parseMintAnswer. */
export async function postMint(root: string, oidcToken: Secret, http: OidcHttp): Promise<Answer> {
  const url = new URL("_/oidc/mint-token", root).href;
  return oidcRequest(url, { method: "POST", body: JSON.stringify({ token: oidcToken.reveal() }) }, http);
}
