/**
 * `.pypirc` as twine 7.0.0 reads it: RawConfigParser semantics checked on the quirks by hand
 * and against twine.utils.get_config itself on a set of files (valid and malformed).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { inspect } from "node:util";
import { defaultPypirc, iniGet, parseIni, parsePypirc } from "../../src/core/upload/pypirc.ts";
import { pythonJson } from "../helpers/peers.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-pypirc-"));
after(() => rmSync(work, { recursive: true, force: true }));

test("keys are case-insensitive, sections are not; % is never interpolated", () => {
  const ini = parseIni("[Server]\nUserName = Bob\nPassword: pa%%ss%(x)s\n");
  assert.ok(ini.ok);
  assert.equal(iniGet(ini.value, "Server", "username"), "Bob");
  assert.equal(iniGet(ini.value, "Server", "PASSWORD"), "pa%%ss%(x)s");
  assert.equal(iniGet(ini.value, "server", "username"), undefined);
});

test("continuation lines, comments, [DEFAULT] and the first delimiter", () => {
  const ini = parseIni(
    "# top\n[DEFAULT]\nusername = dflt\n[a]\nrepository = http://h:1/x\n  second line\n\n  third\n; c\nk = v = w\n[b]\n",
  );
  assert.ok(ini.ok);
  assert.equal(iniGet(ini.value, "a", "repository"), "http://h:1/x\nsecond line\n\nthird");
  assert.equal(iniGet(ini.value, "a", "k"), "v = w");
  assert.equal(iniGet(ini.value, "b", "username"), "dflt", "[DEFAULT] applies to every section");
  assert.equal(iniGet(ini.value, "missing", "username"), undefined);
});

test("errors name the line, never its content (it may be a token)", () => {
  const cases = [
    ["password = pypi-SECRET\n", "line 1: a setting before any [section] header"],
    ["[a]\npypi-SECRET\n", "line 2: not a `key = value` line"],
    ["[a]\nx = 1\nX = pypi-SECRET\n", "line 3: 'x' is set twice in [a]"],
    ["[a]\n[b]\n[a]\n", "line 3: section [a] appears twice"],
  ] as const;
  for (const [text, error] of cases) {
    const parsed = parsePypirc(text);
    assert.deepEqual(parsed, { ok: false, error });
    assert.ok(!error.includes("SECRET"));
  }
});

test("twine's table: pypi always, testpypi only when listed, [server-login] as defaults", () => {
  const none = defaultPypirc();
  assert.deepEqual(none.indexServers, ["pypi", "testpypi"]);
  assert.equal(none.repositories.get("testpypi")?.repository, "https://test.pypi.org/legacy/");
  const parsed = parsePypirc(
    "[distutils]\nindex-servers =\n    pypi\n    private\n[server-login]\nusername = old\npassword = oldpw\n[private]\nrepository = https://repo.example/\n[unlisted]\nrepository = https://nope.example/\n",
  );
  assert.ok(parsed.ok);
  const repos = parsed.value.repositories;
  assert.equal(repos.get("pypi")?.repository, "https://upload.pypi.org/legacy/");
  assert.equal(repos.has("testpypi"), false, "testpypi not listed, so no built-in entry");
  assert.equal(repos.has("unlisted"), false, "sections not in index-servers are not read");
  assert.equal(repos.get("private")?.username, "old");
  const password = repos.get("private")?.password;
  assert.equal(password?.reveal(), "oldpw");
  assert.equal(inspect(repos.get("private")).includes("oldpw"), false, "passwords stay Secrets");
});

const TWINE_CONFIG = `
import sys, json
from twine import utils
out = []
for path in json.load(sys.stdin):
    try:
        out.append({"ok": utils.get_config(path)})
    except Exception as e:
        out.append({"error": type(e).__name__})
print(json.dumps(out))
`;

const FILES = [
  "",
  "[distutils]\nindex-servers = pypi\n[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc%%x\n",
  "[distutils]\nindex-servers =\n  pypi\n  testpypi\n  corp\n[pypi]\nrepository = https://mirror.example/legacy/\n[testpypi]\nusername = t\n[corp]\nRepository: https://corp.example/upload\nUSERNAME : carol\npassword=c%(home)s\n",
  "[DEFAULT]\nusername = everyone\n[distutils]\nindex-servers = a b\n[a]\nrepository = https://a.example/\n[b]\nrepository = https://b.example/\npassword = bpw\n",
  "[server-login]\nusername = legacy\npassword = legacypw\n[pypi]\npassword = own\n",
  "[distutils]\nindex-servers = x\n[x]\nrepository = https://x.example/\n  continued\n\n# comment\n  more\n",
  "[pypi]\nusername = a\nusername = b\n",
  "no section\n",
  "[a]\njust a line\n",
];

test("oracle: the same repositories, URLs and credentials as twine.utils.get_config", () => {
  const paths = FILES.map((text, i) => {
    const path = join(work, `pypirc-${i}`);
    writeFileSync(path, text);
    return path;
  });
  const twine = pythonJson<({ ok: Record<string, Record<string, string | null>> } | { error: string })[]>(
    TWINE_CONFIG,
    paths,
  );
  for (const [i, text] of FILES.entries()) {
    const expected = twine[i];
    const ours = parsePypirc(text);
    assert.ok(expected);
    if ("error" in expected) {
      assert.equal(ours.ok, false, `file ${i} is malformed for twine (${expected.error})`);
      continue;
    }
    assert.ok(ours.ok, `file ${i}: ${ours.ok ? "" : ours.error}`);
    const mine: Record<string, Record<string, string | null>> = {};
    for (const [name, repo] of ours.value.repositories) {
      const entry: Record<string, string | null> = {
        username: repo.username ?? null,
        password: repo.password?.reveal() ?? null,
      };
      if (repo.repository !== undefined) entry["repository"] = repo.repository;
      mine[name] = entry;
    }
    const theirs = Object.fromEntries(
      Object.entries(expected.ok).map(([name, repo]) => [
        name,
        Object.fromEntries(Object.entries(repo).filter(([k]) => !k.endsWith("cert"))),
      ]),
    );
    assert.deepEqual(mine, theirs, `file ${i}`);
  }
});
