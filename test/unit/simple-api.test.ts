import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  negotiate,
  negotiateSimple,
  parseAccept,
  prefersJson,
  SIMPLE_HTML,
  SIMPLE_JSON,
  TEXT_HTML,
} from "../../src/core/simple/negotiate.ts";
import {
  escapeHtml,
  projectVersions,
  renderIndexHtml,
  renderIndexJson,
  renderProjectHtml,
  renderProjectJson,
  type SimpleFile,
} from "../../src/core/simple/pages.ts";
import { absolutizeHtmlPage, absolutizeJsonPage, unescapeHtml } from "../../src/core/simple/upstream.ts";

describe("content negotiation (PEP 691)", () => {
  test("the Accept header pip and uv send picks JSON", () => {
    const accept = `${SIMPLE_JSON}, ${SIMPLE_HTML};q=0.2, ${TEXT_HTML};q=0.01`;
    assert.equal(negotiateSimple(accept, null), SIMPLE_JSON);
  });

  test("no Accept header, an empty one and */* pick text/html (PyPI's legacy default)", () => {
    assert.equal(negotiateSimple(undefined, null), TEXT_HTML);
    assert.equal(negotiateSimple("", null), TEXT_HTML);
    assert.equal(negotiateSimple("*/*", null), TEXT_HTML);
  });

  test("q-values decide, and q=0 excludes", () => {
    assert.equal(negotiateSimple(`${SIMPLE_JSON};q=0.5, ${SIMPLE_HTML};q=0.9`, null), SIMPLE_HTML);
    assert.equal(negotiateSimple(`text/html;q=0, */*;q=0.1`, null), SIMPLE_HTML);
    assert.equal(negotiateSimple(`${SIMPLE_JSON};q=0`, null), undefined);
  });

  test("equal q: the more specific range, then the one listed first", () => {
    assert.equal(negotiateSimple(`${SIMPLE_JSON}, ${SIMPLE_HTML}`, null), SIMPLE_JSON);
    assert.equal(negotiateSimple(`${SIMPLE_HTML}, ${SIMPLE_JSON}`, null), SIMPLE_HTML);
    assert.equal(negotiateSimple(`application/*, ${SIMPLE_JSON}`, null), SIMPLE_JSON);
    // A browser: text/html explicitly, everything else at 0.8.
    assert.equal(negotiateSimple("text/html,application/xhtml+xml,*/*;q=0.8", null), TEXT_HTML);
  });

  test("the most specific range sets an offer's q, whatever its position", () => {
    assert.equal(negotiateSimple(`*/*;q=1, ${TEXT_HTML};q=0.1, ${SIMPLE_HTML};q=0.1`, null), SIMPLE_JSON);
  });

  test("the `latest` meta-version is v1", () => {
    assert.equal(negotiateSimple("application/vnd.pypi.simple.latest+json", null), SIMPLE_JSON);
    assert.equal(negotiateSimple("application/vnd.pypi.simple.latest+html", null), SIMPLE_HTML);
  });

  test("nothing acceptable is undefined (406)", () => {
    assert.equal(negotiateSimple("application/json", null), undefined);
    assert.equal(negotiateSimple("application/vnd.pypi.simple.v2+json", null), undefined);
  });

  test("?format= wins over Accept; an unknown format is not acceptable", () => {
    assert.equal(negotiateSimple(TEXT_HTML, SIMPLE_JSON), SIMPLE_JSON);
    assert.equal(negotiateSimple(SIMPLE_JSON, "text/html"), TEXT_HTML);
    assert.equal(negotiateSimple(undefined, "application/json"), undefined);
  });

  test("malformed ranges and q-values are skipped", () => {
    assert.deepEqual(
      parseAccept("text/html;q=2, nonsense, */html, application/json;q=0.5").map((r) => [
        r.type,
        r.subtype,
        r.q,
      ]),
      [["application", "json", 0.5]],
    );
    assert.equal(negotiate("text/html;q=abc", ["text/html"]), undefined);
  });

  test("error bodies: JSON for uv's Accept, text for twine's */*", () => {
    assert.equal(prefersJson("application/json;q=0.9, text/plain;q=0.8, text/html;q=0.7"), true);
    assert.equal(prefersJson("*/*"), false);
    assert.equal(prefersJson(undefined), false);
    assert.equal(prefersJson("application/json"), true);
  });
});

const WHEEL: SimpleFile = {
  filename: "demo_pkg-1.0-py3-none-any.whl",
  url: "../../files/demo-pkg/demo_pkg-1.0-py3-none-any.whl",
  sha256: "a".repeat(64),
  size: 123,
  requiresPython: ">=3.9,<4",
  uploadTime: "2026-01-02T03:04:05.678Z",
  coreMetadataSha256: "b".repeat(64),
};
const SDIST: SimpleFile = {
  filename: "demo_pkg-1.0.tar.gz",
  url: "../../files/demo-pkg/demo_pkg-1.0.tar.gz",
  sha256: "c".repeat(64),
  size: 456,
};

describe("pages", () => {
  test("JSON project page: api-version 1.3, versions, and every file field (no legacy PEP 658 key)", () => {
    const page = JSON.parse(renderProjectJson({ name: "demo-pkg", files: [WHEEL, SDIST] }));
    assert.deepEqual(page.meta, { "api-version": "1.3" });
    assert.equal(page.name, "demo-pkg");
    assert.deepEqual(page.versions, ["1.0"]);
    assert.deepEqual(page.files[0], {
      filename: WHEEL.filename,
      url: WHEEL.url,
      hashes: { sha256: WHEEL.sha256 },
      "requires-python": ">=3.9,<4",
      size: 123,
      yanked: false,
      "upload-time": "2026-01-02T03:04:05.678Z",
      "core-metadata": { sha256: "b".repeat(64) },
    });
    assert.equal(page.files[1]["requires-python"], null);
    assert.equal("core-metadata" in page.files[1], false);
  });

  test("HTML project page: anchors with #sha256, escaped requires-python, both metadata attributes", () => {
    const html = renderProjectHtml({ name: "demo-pkg", files: [WHEEL, SDIST] });
    assert.match(html, /<meta name="pypi:repository-version" content="1\.3">/);
    assert.ok(
      html.includes(
        `<a href="${WHEEL.url}#sha256=${WHEEL.sha256}" data-requires-python="&gt;=3.9,&lt;4" ` +
          `data-core-metadata="sha256=${"b".repeat(64)}" data-dist-info-metadata="sha256=${"b".repeat(64)}">` +
          `${WHEEL.filename}</a>`,
      ),
      html,
    );
    assert.ok(html.includes(`<a href="${SDIST.url}#sha256=${SDIST.sha256}">${SDIST.filename}</a>`), html);
  });

  test("versions: normalized, deduplicated, in PEP 440 order", () => {
    assert.deepEqual(
      projectVersions([
        "p-1.10.tar.gz",
        "p-1.9-py3-none-any.whl",
        "p-1.9.tar.gz",
        "p-1.0rc1.tar.gz",
        "p-1.0.tar.gz",
        "p-01.0.post0-py3-none-any.whl",
        "garbage.txt",
      ]),
      ["1.0rc1", "1.0", "1.0.post0", "1.9", "1.10"],
    );
  });

  test("project lists in both formats", () => {
    assert.deepEqual(JSON.parse(renderIndexJson(["a", "b-c"])), {
      meta: { "api-version": "1.3" },
      projects: [{ name: "a" }, { name: "b-c" }],
    });
    const html = renderIndexHtml(["a", "b-c"]);
    assert.ok(html.includes('<a href="a/">a</a>') && html.includes('<a href="b-c/">b-c</a>'), html);
  });

  test("escapeHtml escapes the five characters and unescapeHtml reverses it", () => {
    const text = `<a href="x">'&'</a>`;
    assert.equal(escapeHtml(text), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    assert.equal(unescapeHtml(escapeHtml(text)), text);
    assert.equal(unescapeHtml("&#x3C;&#60;&unknown;"), "<<&unknown;");
  });
});

describe("upstream pages", () => {
  const pageUrl = "https://up.example/simple/demo/";

  test("JSON file URLs become absolute against the page URL; the rest is kept", () => {
    const body = JSON.stringify({
      meta: { "api-version": "1.3" },
      name: "demo",
      files: [
        { filename: "a.whl", url: "../../files/a.whl", hashes: {} },
        { filename: "b.whl", url: "https://cdn.example/b.whl", hashes: {} },
      ],
    });
    const page = JSON.parse(absolutizeJsonPage(body, pageUrl));
    assert.deepEqual(
      page.files.map((f: { url: string }) => f.url),
      ["https://up.example/files/a.whl", "https://cdn.example/b.whl"],
    );
    assert.equal(page.name, "demo");
    assert.equal(absolutizeJsonPage("not json", pageUrl), "not json");
  });

  test("a legacy dist-info-metadata key upstream becomes core-metadata (PEP 714), never both", () => {
    const hash = { sha256: "d".repeat(64) };
    const body = JSON.stringify({
      name: "demo",
      files: [
        { filename: "a.whl", url: "a.whl", hashes: {}, "dist-info-metadata": hash },
        { filename: "b.whl", url: "b.whl", hashes: {}, "core-metadata": true, "dist-info-metadata": true },
      ],
    });
    const files = JSON.parse(absolutizeJsonPage(body, pageUrl)).files;
    assert.deepEqual(files[0]["core-metadata"], hash);
    assert.equal(files[1]["core-metadata"], true);
    assert.ok(files.every((f: object) => !("dist-info-metadata" in f)));
  });

  test("HTML anchors become absolute, respecting <base href> and entities", () => {
    const html =
      `<a href="../../files/a.whl#sha256=00">a</a>` +
      `<a data-x="1" href='b.whl?x=1&amp;y=2'>b</a><a href="https://cdn.example/c.whl">c</a>`;
    assert.equal(
      absolutizeHtmlPage(html, pageUrl),
      `<a href="https://up.example/files/a.whl#sha256=00">a</a>` +
        `<a data-x="1" href="https://up.example/simple/demo/b.whl?x=1&amp;y=2">b</a>` +
        `<a href="https://cdn.example/c.whl">c</a>`,
    );
    const withBase = `<base href="https://files.example/pkg/"><a href="a.whl">a</a>`;
    assert.equal(
      absolutizeHtmlPage(withBase, pageUrl),
      `<base href="https://files.example/pkg/"><a href="https://files.example/pkg/a.whl">a</a>`,
    );
  });
});
