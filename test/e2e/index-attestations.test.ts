/**
 * PEP 740 on the embedded index, on loopback: a test OIDC issuer → a minted token → an upload
 * with attestations signed by a test Sigstore (test/helpers/attest-fixture.ts) → the index
 * verifies them against its trust root, the file and the minting publisher, refuses with PyPI's
 * texts (storing nothing), and serves the provenance in the simple API and the integrity API.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Attestation } from "../../src/core/attest/model.ts";
import { publishStatement, SLSA_PREDICATE, STATEMENT_TYPE } from "../../src/core/attest/model.ts";
import { readProvenance } from "../../src/core/attest/provenance.ts";
import { readTrustRoot, type TrustRoot, verifyAttestation } from "../../src/core/attest/verify.ts";
import type { IndexEvent, RunningIndex } from "../../src/server/index-server.ts";
import { startIndex } from "../../src/server/index-server.ts";
import type { TrustedPublishingConfig } from "../../src/server/oidc/config.ts";
import { type AttestFixture, makeAttestFixture, type SignerIdentity } from "../helpers/attest-fixture.ts";
import { makeWheel, rawRequest, sha256, uploadRaw } from "../helpers/index-client.ts";
import { startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";
import { peersPython } from "../helpers/peers.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-index-attest-"));
const REPO = "octo/widget";
const WORKFLOW = "release.yml";
const REFUSED = "Invalid attestations supplied during upload: ";
const JSON_PAGE = "application/vnd.pypi.simple.v1+json";

let github: TestIssuer;
let gitlab: TestIssuer;
let signer: AttestFixture;
let trust: TrustRoot;
let index: RunningIndex;
const events: IndexEvent[] = [];
/** Every JWT and minted token the tests used: none may appear in any event. */
const secrets: string[] = [];

function config(): TrustedPublishingConfig {
  return {
    audience: "pypi",
    tokenLifetimeSeconds: 900,
    issuers: [
      { url: github.url, kind: "github", jwksUrl: github.jwksUrl },
      { url: gitlab.url, kind: "gitlab", jwks: gitlab.jwks },
    ],
    publishers: [
      { kind: "github", projects: ["widget"], repository: REPO, workflow: WORKFLOW, environment: "pypi" },
      { kind: "gitlab", projects: ["gadget"], projectPath: "group/gadget", ciConfigPath: ".gitlab-ci.yml" },
    ],
  };
}

before(async () => {
  github = await startIssuer();
  gitlab = await startIssuer();
  signer = await makeAttestFixture();
  const read = readTrustRoot(signer.trustedRoot, "the test trust root");
  assert.ok(read.ok);
  trust = read.value;
  index = await startIndex({
    root: join(work, "index"),
    trustedPublishing: config(),
    attestationTrustRoot: trust,
    onEvent: (e) => events.push(e),
  });
});
after(async () => {
  await index?.close();
  await github?.close();
  await gitlab?.close();
  rmSync(work, { recursive: true, force: true });
});

async function mintAt(base: string, jwt: string): Promise<string> {
  const body = Buffer.from(JSON.stringify({ token: jwt }));
  const r = await rawRequest(base, "/_/oidc/mint-token", {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", "Content-Length": body.length },
  });
  assert.equal(r.status, 200, r.body.toString());
  const token = JSON.parse(r.body.toString()).token as string;
  secrets.push(jwt, token);
  return token;
}

const githubToken = (base = index.url) =>
  mintAt(base, github.sign(github.github({ repository: REPO, workflow: WORKFLOW, environment: "pypi" })));
const gitlabToken = () =>
  mintAt(
    index.url,
    gitlab.sign(gitlab.gitlab({ projectPath: "group/gadget", ciConfigPath: ".gitlab-ci.yml" })),
  );

const asGithub = (over: Partial<Extract<SignerIdentity, { kind: "GitHub" }>> = {}): SignerIdentity => ({
  kind: "GitHub",
  issuer: github.url,
  repository: REPO,
  workflow: WORKFLOW,
  ...over,
});

const wheelOf = (name: string, version: string) => {
  const wheel = makeWheel({ name, version });
  return { ...wheel, name, version, sha256: sha256(wheel.bytes) };
};
type Wheel = ReturnType<typeof wheelOf>;

const attest = (wheel: Wheel, identity: SignerIdentity = asGithub()) =>
  signer.attest({ filename: wheel.filename, sha256: wheel.sha256 }, identity);

function upload(token: string, wheel: Wheel, attestations?: string) {
  return uploadRaw(index.uploadUrl, token, {
    ...wheel,
    ...(attestations === undefined ? {} : { fields: { attestations } }),
  });
}

async function projectJson(project: string): Promise<{
  meta: Record<string, unknown>;
  files: { filename: string; provenance?: string | null }[];
}> {
  const r = await rawRequest(index.url, `/simple/${project}/`, { headers: { Accept: JSON_PAGE } });
  assert.equal(r.status, 200, r.body.toString());
  return JSON.parse(r.body.toString());
}

const provenanceUrl = (project: string, version: string, filename: string) =>
  `${index.url}integrity/${project}/${version}/${filename}/provenance`;

async function getProvenance(project: string, version: string, filename: string, accept?: string) {
  return rawRequest(index.url, `/integrity/${project}/${version}/${filename}/provenance`, {
    headers: accept === undefined ? {} : { Accept: accept },
  });
}

/** The upload was refused with PyPI's 400 text, and nothing of it was stored. */
async function assertRefused(
  r: Awaited<ReturnType<typeof upload>>,
  wheel: Wheel,
  reason: string | RegExp,
): Promise<void> {
  assert.equal(r.status, 400, r.statusMessage);
  const body = r.body.toString();
  if (typeof reason === "string") assert.ok(body.includes(`${REFUSED}${reason}`), body);
  else {
    assert.ok(body.includes(REFUSED), body);
    assert.match(body, reason);
  }
  const file = await rawRequest(index.url, `/files/${wheel.name}/${wheel.filename}`);
  assert.equal(file.status, 404, `${wheel.filename} was stored though refused`);
  assert.ok(!existsSync(join(work, "index", wheel.name, ".slipway", `${wheel.filename}.provenance.json`)));
}

describe("accepted attestations and the provenance served", () => {
  test("a GitHub publisher's attestation: stored, and served in JSON, HTML and the integrity API", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "1.0");
    const attestation = await attest(wheel);
    const r = await upload(token, wheel, JSON.stringify([attestation]));
    assert.equal(r.status, 200, r.body.toString());

    const page = await projectJson("widget");
    assert.equal(page.meta["api-version"], "1.3");
    const url = provenanceUrl("widget", "1.0", wheel.filename);
    assert.equal(page.files.find((f) => f.filename === wheel.filename)?.provenance, url);
    const html = await rawRequest(index.url, "/simple/widget/", { headers: { Accept: "text/html" } });
    assert.match(html.body.toString(), new RegExp(`data-provenance="${url.replaceAll(".", "\\.")}"`));
    assert.match(html.body.toString(), /<meta name="pypi:repository-version" content="1\.3">/);

    const served = await getProvenance("widget", "1.0", wheel.filename);
    assert.equal(served.status, 200);
    assert.equal(served.headers["content-type"], "application/vnd.pypi.integrity.v1+json");
    const object = JSON.parse(served.body.toString());
    assert.deepEqual(object, {
      version: 1,
      attestation_bundles: [
        {
          publisher: {
            kind: "GitHub",
            repository: REPO,
            workflow: WORKFLOW,
            environment: "pypi",
            claims: null,
          },
          attestations: [attestation],
        },
      ],
    });
    // What the index serves verifies again, as a downloader verifies it.
    const read = readProvenance(object);
    assert.ok(read.ok);
    const again = read.value.bundles[0]?.attestations[0] as Attestation;
    const verdict = verifyAttestation(again, { filename: wheel.filename, sha256: wheel.sha256 }, trust, {
      publisher: { kind: "GitHub", repository: REPO, workflow: WORKFLOW },
      issuer: github.url,
    });
    assert.ok(verdict.ok, JSON.stringify(verdict));
    const json = await getProvenance("widget", "1.0", wheel.filename, "application/json");
    assert.equal(json.headers["content-type"], "application/json");
    // Version spelled another way (1.0.0 is 1.0), and a non-normalized project name.
    assert.equal((await getProvenance("Widget", "1.0.0", wheel.filename)).status, 200);

    const event = events.find((e) => e.type === "attestation" && e.filename === wheel.filename);
    assert.deepEqual(event, {
      type: "attestation",
      outcome: "verified",
      project: "widget",
      filename: wheel.filename,
      publisher: `GitHub ${REPO} .github/workflows/${WORKFLOW}`,
      predicateTypes: ["https://docs.pypi.org/attestations/publish/v1"],
      reason: "",
    });
  });

  test("a GitLab publisher's attestation is verified against the project and CI file", async () => {
    const token = await gitlabToken();
    const wheel = wheelOf("gadget", "1.0");
    const identity: SignerIdentity = {
      kind: "GitLab",
      issuer: gitlab.url,
      repository: "group/gadget",
      workflowFilepath: ".gitlab-ci.yml",
    };
    const r = await upload(token, wheel, JSON.stringify([await attest(wheel, identity)]));
    assert.equal(r.status, 200, r.body.toString());
    const served = JSON.parse((await getProvenance("gadget", "1.0", wheel.filename)).body.toString());
    assert.deepEqual(served.attestation_bundles[0].publisher, {
      kind: "GitLab",
      repository: "group/gadget",
      workflow_filepath: ".gitlab-ci.yml",
      environment: null,
      claims: null,
    });
    const other = wheelOf("gadget", "1.1");
    const wrongFile = await attest(other, { ...identity, workflowFilepath: "ci/other.yml" });
    await assertRefused(await upload(token, other, JSON.stringify([wrongFile])), other, /ci\/other\.yml/);
  });

  test("files without attestations: provenance null, no data-provenance, and the integrity API's 404", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "0.9");
    assert.equal((await upload(token, wheel)).status, 200);
    const page = await projectJson("widget");
    assert.equal(page.files.find((f) => f.filename === wheel.filename)?.provenance, null);
    const html = (await rawRequest(index.url, "/simple/widget/", { headers: { Accept: "text/html" } })).body;
    const anchor =
      html
        .toString()
        .split("\n")
        .find((l) => l.includes(`>${wheel.filename}<`)) ?? "";
    assert.ok(anchor !== "" && !anchor.includes("data-provenance"), anchor);
    const none = await getProvenance("widget", "0.9", wheel.filename);
    assert.equal(none.status, 404);
    assert.deepEqual(JSON.parse(none.body.toString()), {
      message: `No provenance available for ${wheel.filename}`,
    });
    for (const path of [
      "/integrity/widget/0.9/widget-9.9-py3-none-any.whl/provenance",
      `/integrity/widget/2.0/${wheel.filename}/provenance`,
      `/integrity/nothing-here/0.9/${wheel.filename}/provenance`,
    ]) {
      const r = await rawRequest(index.url, path);
      assert.equal(r.status, 404, path);
      assert.equal(typeof JSON.parse(r.body.toString()).message, "string");
    }
    const refused = await getProvenance("widget", "1.0", "widget-1.0-py3-none-any.whl", "text/html");
    assert.equal(refused.status, 406);
    assert.deepEqual(JSON.parse(refused.body.toString()), { message: "Request not acceptable" });
    const post = await rawRequest(index.url, `/integrity/widget/0.9/${wheel.filename}/provenance`, {
      method: "POST",
    });
    assert.equal(post.status, 405);
  });

  test("an identical re-upload is answered 200 before its attestations are read (as PyPI), provenance unchanged", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "1.0");
    const before = (await getProvenance("widget", "1.0", wheel.filename)).body.toString();
    const r = await upload(token, wheel, "not json at all");
    assert.equal(r.status, 200, r.body.toString());
    assert.equal((await getProvenance("widget", "1.0", wheel.filename)).body.toString(), before);
  });
});

test("provenance on disk: a lost sidecar is rebuilt with it; a planted or altered file is never served", async () => {
  const token = await githubToken();
  const dir = join(work, "index", "widget", ".slipway");
  const attested = wheelOf("widget", "1.5");
  assert.equal((await upload(token, attested, JSON.stringify([await attest(attested)]))).status, 200);
  const served = (await getProvenance("widget", "1.5", attested.filename)).body.toString();
  rmSync(join(dir, `${attested.filename}.json`));
  const rebuilt = await getProvenance("widget", "1.5", attested.filename);
  assert.equal(rebuilt.status, 200);
  assert.equal(rebuilt.body.toString(), served);
  // Altered after the sidecar vouched for it: not served.
  writeFileSync(
    join(dir, `${attested.filename}.provenance.json`),
    served.replace('"version":1', '"version": 1'),
  );
  assert.equal((await getProvenance("widget", "1.5", attested.filename)).status, 404);
  // Planted beside a file uploaded without attestations: its sidecar vouches for none.
  const plain = wheelOf("widget", "1.6");
  assert.equal((await upload(token, plain)).status, 200);
  writeFileSync(join(dir, `${plain.filename}.provenance.json`), served);
  assert.equal((await getProvenance("widget", "1.6", plain.filename)).status, 404);
  const page = await projectJson("widget");
  assert.equal(page.files.find((f) => f.filename === plain.filename)?.provenance, null);
});

describe("refusals, with PyPI's texts, storing nothing", () => {
  test("attestations with the index's own token: only with trusted publishing", async () => {
    const wheel = wheelOf("widget", "3.0");
    const r = await upload(index.token, wheel, JSON.stringify([await attest(wheel)]));
    await assertRefused(r, wheel, "Attestations are only supported when using Trusted Publishing");
  });

  test("malformed: not JSON, not a list, empty, a bad entry, more than two", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "3.1");
    const good = await attest(wheel);
    const cases: [string, string][] = [
      ["{", "Malformed attestations: not valid JSON"],
      [JSON.stringify(good), "Malformed attestations: not a JSON list of attestation objects"],
      ["[]", "Malformed attestations: an empty attestation set is not permitted"],
      [
        JSON.stringify([{ ...good, version: 2 }]),
        "Malformed attestations: attestation 0: unsupported attestation version 2",
      ],
      [
        JSON.stringify([good, { ...good, envelope: { statement: "!!", signature: "" } }]),
        "Malformed attestations: attestation 1: envelope.statement is not standard base64",
      ],
      [JSON.stringify([good, good, good]), "A maximum of 2 attestations per file are supported"],
    ];
    for (const [field, reason] of cases)
      await assertRefused(await upload(token, wheel, field), wheel, reason);
  });

  test("two attestations of one predicate type", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "3.2");
    const r = await upload(token, wheel, JSON.stringify([await attest(wheel), await attest(wheel)]));
    await assertRefused(
      r,
      wheel,
      "Multiple attestations for the same file with the same predicate type (https://docs.pypi.org/attestations/publish/v1) are not supported",
    );
  });

  test("a publish and an SLSA attestation together are accepted (one per predicate type)", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "3.3");
    const slsa = Buffer.from(
      JSON.stringify({
        _type: STATEMENT_TYPE,
        subject: [{ name: wheel.filename, digest: { sha256: wheel.sha256 } }],
        predicateType: SLSA_PREDICATE,
        predicate: { buildDefinition: {}, runDetails: {} },
      }),
    );
    const second = await signer.attest(wheel, asGithub(), { statement: slsa });
    const r = await upload(token, wheel, JSON.stringify([await attest(wheel), second]));
    assert.equal(r.status, 200, r.body.toString());
    const served = JSON.parse((await getProvenance("widget", "3.3", wheel.filename)).body.toString());
    assert.equal(served.attestation_bundles[0].attestations.length, 2);
  });

  test("an attestation for another file, or for other bytes under this name", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "4.0");
    const other = wheelOf("widget", "4.1");
    await assertRefused(
      await upload(token, wheel, JSON.stringify([await attest(other)])),
      wheel,
      `Could not verify the uploaded artifact using the included attestation: the subject is ${other.filename}, not ${wheel.filename}`,
    );
    const forOtherBytes = await signer.attest(
      { filename: wheel.filename, sha256: "0".repeat(64) },
      asGithub(),
    );
    await assertRefused(
      await upload(token, wheel, JSON.stringify([forOtherBytes])),
      wheel,
      /Could not verify the uploaded artifact using the included attestation: the subject's sha256 is 000000000000…/,
    );
  });

  test("signed by another repository, another workflow, or with a token from another issuer", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "5.0");
    const verifyText = "Could not verify the uploaded artifact using the included attestation: ";
    const expected = `(expected GitHub ${REPO} .github/workflows/${WORKFLOW})`;
    await assertRefused(
      await upload(
        token,
        wheel,
        JSON.stringify([await attest(wheel, asGithub({ repository: "evil/widget" }))]),
      ),
      wheel,
      `${verifyText}signed in https://github.com/evil/widget, not https://github.com/${REPO} ${expected}`,
    );
    await assertRefused(
      await upload(token, wheel, JSON.stringify([await attest(wheel, asGithub({ workflow: "other.yml" }))])),
      wheel,
      `${verifyText}signed by the workflow https://github.com/${REPO}/.github/workflows/other.yml@refs/heads/main, not https://github.com/${REPO}/.github/workflows/${WORKFLOW} ${expected}`,
    );
    await assertRefused(
      await upload(token, wheel, JSON.stringify([await attest(wheel, asGithub({ issuer: gitlab.url }))])),
      wheel,
      `${verifyText}signed with a token from ${gitlab.url}, not ${github.url} ${expected}`,
    );
  });

  test("a signature the trust root does not vouch for, and a tampered statement", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "6.0");
    const stranger = await makeAttestFixture();
    const foreign = await stranger.attest(wheel, asGithub());
    await assertRefused(
      await upload(token, wheel, JSON.stringify([foreign])),
      wheel,
      /Could not verify the uploaded artifact using the included attestation: does not verify against the test trust root/,
    );
    const good = await attest(wheel);
    // Same subject, other bytes: the signature no longer covers the statement.
    const statement = Buffer.concat([publishStatement(wheel.filename, wheel.sha256), Buffer.from(" ")]);
    const tampered = { ...good, envelope: { ...good.envelope, statement: statement.toString("base64") } };
    await assertRefused(
      await upload(token, wheel, JSON.stringify([tampered])),
      wheel,
      /does not verify against the test trust root/,
    );
  });

  test("a hostile attestations field: a huge subject name or field stays one bounded line", async () => {
    const token = await githubToken();
    const wheel = wheelOf("widget", "6.1");
    const statement = Buffer.from(
      JSON.stringify({
        _type: STATEMENT_TYPE,
        subject: [
          {
            name: `widget-6.1-py3-none-any.whl${"\n".repeat(5)}${"x".repeat(100_000)}`,
            digest: { sha256: wheel.sha256 },
          },
        ],
        predicateType: "https://docs.pypi.org/attestations/publish/v1",
        predicate: null,
      }),
    );
    const hostile = await signer.attest(wheel, asGithub(), { statement });
    const r = await upload(token, wheel, JSON.stringify([hostile]));
    await assertRefused(r, wheel, /included attestation: the subject "widget-6\.1-py3-none-any\.whl\\n/);
    assert.ok(r.body.length < 2000, String(r.body.length));
    const huge = await upload(token, wheel, `[${" ".repeat(3 * 1024 * 1024)}]`);
    await assertRefused(huge, wheel, /Malformed attestations: larger than/);
  });

  test("refusals are events, and no JWT nor minted token reaches any event", () => {
    const refused = events.filter((e) => e.type === "attestation" && e.outcome === "refused");
    assert.ok(refused.length >= 10, String(refused.length));
    const text = JSON.stringify(events);
    for (const secret of secrets) assert.ok(!text.includes(secret), "a secret leaked into the events");
    assert.ok(!text.includes(index.token));
  });
});

test("twine upload --attestations with a minted token: accepted, provenance served", async () => {
  const token = await githubToken();
  const dir = join(work, "twine-dist");
  mkdirSync(dir, { recursive: true });
  const wheel = wheelOf("widget", "7.0");
  writeFileSync(join(dir, wheel.filename), wheel.bytes);
  writeFileSync(join(dir, `${wheel.filename}.publish.attestation`), JSON.stringify(await attest(wheel)));
  const ran = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      join(dirname(peersPython()), "twine"),
      [
        "upload",
        "--attestations",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        index.uploadUrl,
        join(dir, wheel.filename),
        join(dir, `${wheel.filename}.publish.attestation`),
      ],
      {
        env: { ...process.env, TWINE_USERNAME: "__token__", TWINE_PASSWORD: token, NO_COLOR: "1" },
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          out: `${stdout}${stderr}`,
        }),
    );
  });
  assert.equal(ran.code, 0, ran.out);
  assert.ok(!ran.out.includes(token));
  const served = await getProvenance("widget", "7.0", wheel.filename);
  assert.equal(served.status, 200, served.body.toString());
  assert.equal(JSON.parse(served.body.toString()).attestation_bundles[0].publisher.repository, REPO);
});

test("slipway index serve --attestation-trust-root: verifies against that root and logs the verdicts", async () => {
  const rootFile = join(work, "trusted_root.json");
  writeFileSync(rootFile, JSON.stringify(signer.trustedRoot));
  const cfg = join(work, "cli-tp.json");
  writeFileSync(cfg, JSON.stringify(config()));
  const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    [
      main,
      "index",
      "serve",
      "--root",
      join(work, "cli"),
      "--trusted-publisher",
      cfg,
      "--attestation-trust-root",
      rootFile,
    ],
    { env: { ...process.env, CI: "true", NO_COLOR: "1" } },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let token = "";
  try {
    let base = "";
    for (let waited = 0; base === "" && waited < 15_000; waited += 20) {
      base = /(http:\/\/127\.0\.0\.1:\d+\/)legacy\//.exec(output)?.[1] ?? "";
      if (base === "") await new Promise((r) => setTimeout(r, 20));
    }
    assert.notEqual(base, "", output);
    assert.match(output, /attestations {8}verified against the index's trust root trusted_root\.json/);
    assert.ok(!output.includes(rootFile), output);
    token = await githubToken(base);
    const good = wheelOf("widget", "8.0");
    const bad = wheelOf("widget", "8.1");
    const send = (wheel: Wheel, field: string) =>
      uploadRaw(`${base}legacy/`, token, { ...wheel, fields: { attestations: field } });
    assert.equal((await send(good, JSON.stringify([await attest(good)]))).status, 200);
    assert.equal((await send(bad, JSON.stringify([await attest(good)]))).status, 400);
    for (let waited = 0; !output.includes("refused") && waited < 5000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0, output);
  assert.match(
    output,
    /attestations for widget-8\.0-py3-none-any\.whl: verified \(https:\/\/docs\.pypi\.org\/attestations\/publish\/v1; GitHub octo\/widget \.github\/workflows\/release\.yml\)/,
  );
  assert.match(output, /attestations for widget-8\.1-py3-none-any\.whl: refused: Could not verify/);
  assert.ok(!output.includes(token) && token !== "", "the minted token leaked into the log");
});

test("a broken --attestation-trust-root is a config error before the index starts", async () => {
  const rootFile = join(work, "not-a-root.json");
  writeFileSync(rootFile, JSON.stringify({ mediaType: "nope" }));
  const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
  const ran = await new Promise<{ code: number | null; out: string }>((resolve) => {
    execFile(
      process.execPath,
      [main, "index", "serve", "--root", join(work, "cli3"), "--attestation-trust-root", rootFile],
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          out: `${stdout}${stderr}`,
        }),
    );
  });
  assert.equal(ran.code, 2, ran.out);
  assert.match(ran.out, /mediaType is "nope"/);
});
