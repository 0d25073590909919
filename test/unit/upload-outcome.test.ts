/** Simple-page parsing (JSON and HTML as pypiserver, devpi and PyPI write them), the sha256 decision, release order. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareRemote, summarizeOutcomes, type UploadOutcome } from "../../src/core/upload/outcome.ts";
import { assembleReleases, releaseFiles } from "../../src/core/upload/plan.ts";
import {
  distributionKey,
  findRemote,
  parseSimpleHtml,
  parseSimpleJson,
} from "../../src/core/upload/simple-page.ts";

const H1 = "6486bfb0cc5be6c6d13e7fd2b1fd3f12b1b81f6b0a0b796159668d55ad84aaab";
const H2 = "754ec65a69ce076a6ff378fc008d925b09a48e6bbd35340dd3fd3f836a0309f7";

test("HTML pages: pypiserver's absolute paths, devpi's relative ones and text, entities, quotes", () => {
  const pypiserver = `<a href="/packages/demo-1.0-py3-none-any.whl#sha256=${H1}">demo-1.0-py3-none-any.whl</a><br>`;
  assert.deepEqual(parseSimpleHtml(pypiserver, "http://127.0.0.1:8080/simple/demo/"), [
    {
      filename: "demo-1.0-py3-none-any.whl",
      url: "http://127.0.0.1:8080/packages/demo-1.0-py3-none-any.whl",
      sha256: H1,
    },
  ]);
  const devpi = `alice/dev <a href="../../+f/754/ec65/demo-1.0.tar.gz#sha256=${H2.toUpperCase()}" data-requires-python="&gt;=3.9">demo-1.0.tar.gz</a><br>
    <A HREF='x%2By-1.0.tar.gz#md5=abc'>x+y-1.0.tar.gz</A><a name="anchor-without-href">n</a>
    <a href="q-1.0.tar.gz?x=1&amp;y=2#sha256=${H1}">q</a>`;
  const files = parseSimpleHtml(devpi, "http://h/alice/dev/+simple/demo/");
  assert.deepEqual(files, [
    { filename: "demo-1.0.tar.gz", url: "http://h/alice/dev/+f/754/ec65/demo-1.0.tar.gz", sha256: H2 },
    { filename: "x+y-1.0.tar.gz", url: "http://h/alice/dev/+simple/demo/x%2By-1.0.tar.gz" },
    { filename: "q-1.0.tar.gz", url: "http://h/alice/dev/+simple/demo/q-1.0.tar.gz?x=1&y=2", sha256: H1 },
  ]);
});

test("JSON pages: files with hashes.sha256, relative URLs resolved, entries without a hash kept", () => {
  const text = JSON.stringify({
    meta: { "api-version": "1.1" },
    name: "demo",
    files: [
      { filename: "demo-1.0.tar.gz", url: "../../files/demo-1.0.tar.gz", hashes: { sha256: H2 } },
      { filename: "demo-1.0-py3-none-any.whl", url: "https://cdn/x.whl", hashes: {} },
      { filename: 3, url: "bad" },
    ],
  });
  const parsed = parseSimpleJson(text, "http://i/simple/demo/");
  assert.deepEqual(parsed, {
    ok: true,
    value: [
      { filename: "demo-1.0.tar.gz", url: "http://i/files/demo-1.0.tar.gz", sha256: H2 },
      { filename: "demo-1.0-py3-none-any.whl", url: "https://cdn/x.whl" },
    ],
  });
  assert.deepEqual(parseSimpleJson("<html>", "http://i/"), { ok: false, error: "is not valid JSON" });
  assert.deepEqual(parseSimpleJson("{}", "http://i/"), { ok: false, error: 'has no "files" list' });
});

test("files match by parsed name: normalization, version forms and tag order do not matter", () => {
  assert.equal(
    distributionKey("Foo_Bar-1.0.tar.gz"),
    distributionKey("foo_bar-1.0.0.tar.gz".replace("1.0.0", "1.0")),
  );
  assert.equal(
    distributionKey("foo-1.0-py2.py3-none-any.whl"),
    distributionKey("Foo-1.0-py3.py2-none-any.whl"),
  );
  assert.notEqual(distributionKey("foo-1.0-py3-none-any.whl"), distributionKey("foo-1.0-1-py3-none-any.whl"));
  const listing = {
    found: true,
    files: [
      { filename: "Foo-1.0.tar.gz", url: "u1", sha256: H1 },
      { filename: "foo-1.0.tar.gz", url: "u2", sha256: H2 },
    ],
  };
  assert.equal(findRemote(listing, "foo-1.0.tar.gz")?.url, "u2", "an exact name wins");
  assert.equal(findRemote(listing, "FOO-1.0.tar.gz")?.url, "u1");
});

test("the decision is the sha256 alone", () => {
  const listing = {
    found: true,
    files: [
      { filename: "a-1.tar.gz", url: "u", sha256: H1 },
      { filename: "b-1.tar.gz", url: "v" },
    ],
  };
  assert.equal(compareRemote(listing, "a-1.tar.gz", H1.toUpperCase()).kind, "identical");
  const different = compareRemote(listing, "a-1.tar.gz", H2);
  assert.ok(different.kind === "different" && different.remote.sha256 === H1);
  assert.equal(compareRemote(listing, "b-1.tar.gz", H1).kind, "no-hash");
  assert.equal(compareRemote(listing, "c-1.tar.gz", H1).kind, "absent");
  assert.equal(compareRemote({ found: false, files: [] }, "a-1.tar.gz", H1).kind, "absent");
});

test("releases: grouped by normalized name and version, wheels sorted, sdists last", () => {
  const f = (path: string, project: string, version: string, kind: "wheel" | "sdist") => ({
    path,
    filename: path,
    project,
    version,
    kind,
  });
  const releases = assembleReleases([
    f("a-1.tar.gz", "A", "1.0", "sdist"),
    f("b-2-py3-none-any.whl", "b", "2", "wheel"),
    f("a-1-cp312-abi3-any.whl", "a", "1", "wheel"),
    f("a-1-cp311-abi3-any.whl", "a", "1.0.0", "wheel"),
    f("a-1.tar.gz", "A", "1.0", "sdist"),
  ]);
  assert.deepEqual(
    releases.map((r) => [r.key, releaseFiles(r).map((x) => x.path)]),
    [
      ["a 1", ["a-1-cp311-abi3-any.whl", "a-1-cp312-abi3-any.whl", "a-1.tar.gz"]],
      ["b 2", ["b-2-py3-none-any.whl"]],
    ],
  );
});

test("the summary is ok only when every file is on the index (a dry run also accepts would-upload)", () => {
  const o = (status: UploadOutcome["status"]) => ({ status }) as UploadOutcome;
  assert.equal(summarizeOutcomes([o("uploaded"), o("exists-identical")], false).ok, true);
  assert.equal(summarizeOutcomes([o("uploaded"), o("not-sent")], false).ok, false);
  assert.equal(summarizeOutcomes([o("would-upload")], false).ok, false);
  assert.equal(summarizeOutcomes([o("would-upload"), o("exists-identical")], true).ok, true);
  assert.equal(summarizeOutcomes([o("would-upload"), o("conflict")], true).ok, false);
  assert.equal(summarizeOutcomes([], false).ok, false, "nothing published is not a success");
  assert.equal(summarizeOutcomes([o("failed"), o("failed")], false).counts.failed, 2);
});
