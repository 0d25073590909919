/** Target resolution (`--to`, env, pyproject, .pypirc, built-ins) and credential precedence. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveCredentials } from "../../src/core/upload/credentials.ts";
import { defaultPypirc, parsePypirc } from "../../src/core/upload/pypirc.ts";
import {
  type IndexConfig,
  lintUploadUrl,
  parseIndexesTable,
  projectPageUrl,
  resolveTarget,
  type TargetInput,
  type UploadTarget,
} from "../../src/core/upload/targets.ts";
import { Secret } from "../../src/secret.ts";

const PYPIRC = parsePypirc(
  "[distutils]\nindex-servers = pypi corp nourl\n[pypi]\npassword = pypi-from-rc\n[corp]\nrepository = https://corp.example/upload/\nusername = carol\npassword = corp-pw\n[nourl]\nusername = x\n",
);
assert.ok(PYPIRC.ok);

function input(extra: Partial<TargetInput> = {}, indexes: IndexConfig[] = []): TargetInput {
  return {
    indexes: new Map(indexes.map((i) => [i.name, i])),
    pypirc: PYPIRC.ok ? PYPIRC.value : defaultPypirc(),
    ...extra,
  };
}

function target(extra: Partial<TargetInput> = {}, indexes: IndexConfig[] = []): UploadTarget {
  const resolved = resolveTarget(input(extra, indexes));
  assert.ok(resolved.ok, resolved.ok ? "" : resolved.error);
  return resolved.value;
}

test("default is pypi, with PyPI's simple API for the check", () => {
  const t = target();
  assert.equal(t.uploadUrl, "https://upload.pypi.org/legacy/");
  assert.equal(t.simpleUrl, "https://pypi.org/simple/");
  assert.equal(t.name, "pypi");
});

test("testpypi is built in even when .pypirc does not list it", () => {
  const t = target({ to: "testpypi" });
  assert.equal(t.uploadUrl, "https://test.pypi.org/legacy/");
  assert.equal(t.simpleUrl, "https://test.pypi.org/simple/");
});

test("a pyproject index wins over .pypirc for URLs; .pypirc still gives the credentials", () => {
  const t = target({ to: "corp" }, [
    { name: "corp", uploadUrl: "https://stage.example/legacy/", simpleUrl: "https://stage.example/simple" },
  ]);
  assert.equal(t.uploadUrl, "https://stage.example/legacy/");
  assert.equal(t.simpleUrl, "https://stage.example/simple/", "a trailing slash is added");
  assert.equal(t.source, "pyproject");
  assert.equal(t.pypirc?.username, "carol");
});

test("a .pypirc index has no simple URL unless --check-url gives one", () => {
  assert.equal(target({ to: "corp" }).simpleUrl, undefined);
  assert.equal(
    target({ to: "corp", checkUrl: "https://corp.example/simple/" }).simpleUrl,
    "https://corp.example/simple/",
  );
});

test("--to URL beats TWINE_REPOSITORY_URL, which beats TWINE_REPOSITORY; URL userinfo becomes credentials", () => {
  const env = { envRepositoryUrl: "https://u:p%40ss@env.example/legacy/", envRepository: "corp" };
  assert.equal(target({ ...env, to: "https://flag.example/x/" }).uploadUrl, "https://flag.example/x/");
  const fromEnv = target(env);
  assert.equal(fromEnv.uploadUrl, "https://env.example/legacy/", "userinfo stripped");
  assert.equal(fromEnv.urlCredentials?.username, "u");
  assert.equal(fromEnv.urlCredentials?.password?.reveal(), "p@ss");
  assert.equal(target({ envRepository: "corp" }).uploadUrl, "https://corp.example/upload/");
});

test("PyPI's hosts are forced to https, and a URL target on PyPI gets PyPI's simple API", () => {
  const t = target({ to: "http://upload.pypi.org/legacy/" });
  assert.equal(t.uploadUrl, "https://upload.pypi.org/legacy/");
  assert.equal(t.simpleUrl, "https://pypi.org/simple/");
});

test("a URL that matches a configured upload-url takes its simple-url", () => {
  const t = target({ to: "https://stage.example/legacy/" }, [
    { name: "stage", uploadUrl: "https://stage.example/legacy/", simpleUrl: "https://stage.example/simple/" },
  ]);
  assert.equal(t.simpleUrl, "https://stage.example/simple/");
});

test("unknown names, URL-less sections and bad URLs are configuration errors with a hint", () => {
  const unknown = resolveTarget(input({ to: "nope" }));
  assert.equal(unknown.ok, false);
  assert.ok(!unknown.ok && unknown.error === "no index named 'nope'");
  assert.ok(!unknown.ok && unknown.hint?.includes("corp"));
  const nourl = resolveTarget(input({ to: "nourl" }));
  assert.ok(!nourl.ok && nourl.error === "index 'nourl' has no upload URL");
  const ftp = resolveTarget(input({ to: "ftp://x.example/" }));
  assert.ok(!ftp.ok && /http\(s\)/.test(ftp.error));
  const creds = resolveTarget(input({ checkUrl: "https://u:p@x.example/simple/" }));
  assert.ok(!creds.ok && /credentials/.test(creds.error));
});

test("[tool.slipway.indexes] parsing refuses typos", () => {
  const good = parseIndexesTable({
    indexes: { s: { "upload-url": "https://s/legacy/", "simple-url": "https://s/simple" } },
  });
  assert.ok(good.ok);
  assert.deepEqual(good.value.get("s"), {
    name: "s",
    uploadUrl: "https://s/legacy/",
    simpleUrl: "https://s/simple/",
  });
  const typo = parseIndexesTable({ indexes: { s: { upload_url: "https://s/" } } });
  assert.ok(!typo.ok && /unknown key 'upload_url'/.test(typo.error));
  assert.equal(parseIndexesTable({ indexes: [] }).ok, false);
  assert.deepEqual(parseIndexesTable(undefined), { ok: true, value: new Map() });
});

test("known URL mistakes are named, with the right URL where there is one", () => {
  assert.deepEqual(lintUploadUrl("https://upload.pypi.org/legacy"), [
    { kind: "pypi-no-slash", url: "https://upload.pypi.org/legacy", use: "https://upload.pypi.org/legacy/" },
  ]);
  assert.deepEqual(lintUploadUrl("https://pypi.org/simple/"), [
    { kind: "pypi-website", url: "https://pypi.org/simple/", use: "https://upload.pypi.org/legacy/" },
  ]);
  assert.deepEqual(lintUploadUrl("http://127.0.0.1:3141/alice/dev/+simple/"), [
    { kind: "simple-url", url: "http://127.0.0.1:3141/alice/dev/+simple/" },
  ]);
  assert.deepEqual(lintUploadUrl("https://test.pypi.org/"), [
    { kind: "not-pypi-upload", url: "https://test.pypi.org/", use: "https://test.pypi.org/legacy/" },
  ]);
  assert.deepEqual(lintUploadUrl("http://127.0.0.1:8080/legacy"), [
    { kind: "no-trailing-slash", url: "http://127.0.0.1:8080/legacy" },
  ]);
  assert.deepEqual(lintUploadUrl("https://upload.pypi.org/legacy/"), []);
  assert.equal(
    projectPageUrl("https://pypi.org/simple", "Foo_Bar.baz"),
    "https://pypi.org/simple/foo-bar-baz/",
  );
});

test("credentials: flags, then env, then URL userinfo or .pypirc; username defaults to __token__", () => {
  const corp = target({ to: "corp" });
  const all = resolveCredentials({
    username: "flag-user",
    password: new Secret("flag-pw"),
    envUsername: "env-user",
    envPassword: new Secret("env-pw"),
    target: corp,
  });
  assert.deepEqual(
    [all.username, all.password?.reveal(), all.usernameFrom, all.passwordFrom],
    ["flag-user", "flag-pw", "flag", "flag"],
  );
  const env = resolveCredentials({
    envUsername: "env-user",
    envPassword: new Secret("env-pw"),
    target: corp,
  });
  assert.deepEqual([env.username, env.password?.reveal(), env.passwordFrom], ["env-user", "env-pw", "env"]);
  const rc = resolveCredentials({ envUsername: "", envPassword: new Secret(""), target: corp });
  assert.deepEqual(
    [rc.username, rc.password?.reveal(), rc.passwordFrom],
    ["carol", "corp-pw", "pypirc"],
    "empty env values count as unset",
  );
  const pypi = resolveCredentials({ target: target() });
  assert.deepEqual(
    [pypi.username, pypi.usernameFrom, pypi.password?.reveal()],
    ["__token__", "default", "pypi-from-rc"],
  );
  const url = resolveCredentials({ target: target({ to: "https://ann:pw@x.example/" }) });
  assert.deepEqual([url.username, url.password?.reveal(), url.passwordFrom], ["ann", "pw", "url"]);
  const none = resolveCredentials({ target: target({ to: "https://x.example/" }) });
  assert.equal(none.password, undefined);
});
