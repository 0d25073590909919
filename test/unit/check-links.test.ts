import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readProject } from "../../src/adapters/project.ts";
import type { ProjectContext } from "../../src/core/checks/context.ts";
import {
  githubSlug,
  headingText,
  makeId,
  markdownAnchors,
  rstAnchors,
} from "../../src/core/checks/link-anchors.ts";
import { checkLinks, linkedDocuments } from "../../src/core/checks/links.ts";
import { loadCorpus } from "../helpers/corpus.ts";
import { PATHOLOGICAL_MARKDOWN } from "../helpers/markdown-pathological.ts";
import { assertScalesLinearly } from "../helpers/scaling.ts";

const enc = new TextEncoder();
const PYPROJECT = '[project]\nname = "x"\nversion = "1"\n';

function project(docs: Record<string, string>, others: string[] = []): ProjectContext {
  const contents = new Map<string, Uint8Array>(Object.entries(docs).map(([p, t]) => [p, enc.encode(t)]));
  contents.set("pyproject.toml", enc.encode(PYPROJECT));
  return {
    display: "pyproject.toml",
    pyprojectText: PYPROJECT,
    pyproject: { project: { name: "x", version: "1" } },
    files: [...new Set(["pyproject.toml", ...Object.keys(docs), ...others])].sort(),
    contents,
  };
}

const ids = (ctx: ProjectContext) => checkLinks(ctx).map((f) => `${f.id} ${f.location.line ?? ""}`);

test("GitHub heading slugs: markup stripped, punctuation dropped, repeats numbered", () => {
  assert.equal(githubSlug(headingText("The `foo_bar` API: *v2*!")), "the-foo_bar-api-v2");
  assert.equal(githubSlug(headingText("[Install](https://x.org) & __configure__")), "install--configure");
  assert.equal(githubSlug(headingText("![logo](a.png) Über <b>uns</b> &amp; 1.0")), "über-uns--10");
  const anchors = markdownAnchors(
    '# Usage\n\n## Usage\n\nUsage\n-----\n\n```\n# Not a heading\n```\n<a name="Top"></a>\n',
  );
  assert.deepEqual([...anchors].sort(), ["top", "usage", "usage-1", "usage-2"]);
});

test("reST ids follow docutils make_id, for titles and targets, not inside literal blocks", () => {
  assert.equal(makeId("Getting Started: 2.0 Release!"), "getting-started-2-0-release");
  assert.equal(makeId("1. Straße"), "strasze");
  const anchors = rstAnchors(
    "=====\nTitle\n=====\n\n.. _my target:\n\nInstall ``pkg``\n---------------\n\n::\n\n  Fake\n  ----\n",
  );
  assert.deepEqual([...anchors].sort(), ["install-pkg", "my-target", "title"]);
});

test("relative links resolve to repository files, exact case, inside the project", () => {
  const readme = [
    "# Project",
    "## Install",
    "[ok](docs/guide.md) [dir](docs/) [root](/LICENSE) [anchor](#install) [q](docs/guide.md?plain=1#usage)",
    "[missing](docs/missing.md)",
    "[case](Docs/Guide.md)",
    "[out](../../issues)",
    "[bad anchor](#instal)",
    "[far anchor](docs/guide.md#nope)",
    "[space](<docs/my guide.md>) [escaped](docs/my%20guide.md)",
    "![img](docs/logo.png)",
    '<a href="docs/gone.md">html</a>',
  ].join("\n");
  const ctx = project(
    { "README.md": readme, "docs/guide.md": "# Guide\n\n## Usage\n", "docs/my guide.md": "x" },
    ["LICENSE", "docs/logo.png"],
  );
  assert.deepEqual(ids(ctx), ["LINK01 4", "LINK01 5", "LINK02 6", "LINK03 7", "LINK03 8", "LINK01 11"]);
  const messages = checkLinks(ctx).map((f) => f.message);
  assert.match(messages[1]!, /names Docs\/Guide\.md, but the repository spells it docs\/guide\.md/);
  assert.match(messages[4]!, /#nope, which no heading of docs\/guide\.md has/);
  assert.match(messages[0]!, /^README\.md line 4: /);
});

test("links of docs/*.md resolve from their own directory; other files are not documents", () => {
  const ctx = project({
    "README.md": "x",
    "docs/a/b.md": "[up](../c.md) [here](b.md#b) \n# B\n",
    "docs/c.md": "",
    "src/notes.md": "[x](nowhere.md)",
  });
  assert.deepEqual(linkedDocuments(ctx.files), ["README.md", "docs/a/b.md", "docs/c.md"]);
  assert.deepEqual(ids(ctx), []);
  const broken = project({ "README.md": "x", "docs/a/b.md": "[up](../d.md)" });
  assert.deepEqual(ids(broken), ["LINK01 1"]);
});

test("malformed URLs are reported; well-formed ones and other schemes are not", () => {
  const readme = [
    "[a](https://example.com/x?y=1#z) [b](mailto:me@example.com) [c](ftp://example.com) [d](//cdn.example.com/x)",
    "[e](http:/example.com)",
    "[f](www.example.com/page)",
    "[g](https://)",
    "[h](https://example.com:99999/)",
    "[i](docs/%zz.md)",
    "[j](mailto:nobody)",
    "[k](https//example.com)",
  ].join("\n");
  assert.deepEqual(ids(project({ "README.md": readme })), [
    "LINK04 2",
    "LINK04 3",
    "LINK04 4",
    "LINK04 5",
    "LINK04 6",
    "LINK04 7",
    "LINK04 8",
  ]);
});

test("README.rst: links and anchors by docutils' rules", () => {
  const readme = [
    "Title",
    "=====",
    "",
    "Usage",
    "-----",
    "",
    "See `the guide <docs/guide.rst>`_, `usage <#usage>`_, `nope <#nowhere>`_ and `license <LICENSE>`_.",
    "",
    ".. image:: docs/logo.png",
    "",
  ].join("\n");
  assert.deepEqual(ids(project({ "README.rst": readme }, ["LICENSE"])), ["LINK01 7", "LINK03 7", "LINK01 9"]);
});

test("a hostile document: findings are capped, work is linear", () => {
  const many = Array.from({ length: 500 }, (_, i) => `[x](missing-${i}.md)`).join("\n");
  const found = checkLinks(project({ "README.md": many }));
  assert.equal(found.length, 101);
  assert.match(found.at(-1)!.message, /400 more broken or malformed links/);
  const cases: Record<string, (n: number) => string> = {
    ...PATHOLOGICAL_MARKDOWN,
    "heading brackets": (n) => `# ${"[".repeat(n)}\n\n[a](#b)`,
    "heading destinations": (n) => `# ${"[a](".repeat(n)}\n\n[a](#b)`,
    "heading tags": (n) => `# ${"<a ".repeat(n)}\n\n[a](#b)`,
    "heading backticks": (n) => `# ${"`a_".repeat(n)}\n\n[a](#b)`,
    "repeated headings": (n) => `${"# a\n".repeat(n)}\n[a](#b)`,
    "html ids": (n) => `${'<a id="x'.repeat(n)}\n\n[a](#b)`,
    "rst titles": (n) => `${"T\n=\n\n".repeat(n)}\`x <#b>\`_\n`,
  };
  assertScalesLinearly(
    cases,
    (doc, attempt) => {
      const name = doc.includes("=\n") ? "README.rst" : "README.md";
      checkLinks(project({ [name]: `${doc}${"\n".repeat(attempt + 1)}` }));
    },
    { small: 2_000, large: 16_000 },
  );
});

test("the flagship example's README and docs link only to what exists", async () => {
  const root = fileURLToPath(new URL("../../examples/prompt-manager", import.meta.url));
  const ctx = await readProject(root);
  assert.deepEqual(checkLinks(ctx), []);
  // The check had something to check: the guide's table of contents (anchors) and a relative link.
  const guide = readFileSync(join(root, "docs/INTEGRATION_GUIDE.md"), "utf8");
  assert.match(guide, /\]\(#writing-a-plugin\)/);
  assert.match(guide, /\]\(\.\.\/examples\/custom_integration\.py\)/);
  const renamed = new Map(ctx.contents);
  renamed.set(
    "docs/INTEGRATION_GUIDE.md",
    new TextEncoder().encode(guide.replace("## Writing a plugin", "## Plugins")),
  );
  const files = ctx.files.filter((f) => f !== "examples/custom_integration.py");
  assert.deepEqual(
    checkLinks({ ...ctx, files, contents: renamed }).map((f) => f.id),
    ["LINK03", "LINK01"],
  );
});

test("a real sdist (idna 3.20): README's link to tools/README.md resolves", async () => {
  const entry = loadCorpus().find(
    (e) => e.category === "real" && e.name.startsWith("idna-") && e.file.endsWith(".tar.gz"),
  );
  assert.ok(entry, "the corpus has the idna sdist");
  const dir = mkdtempSync(join(tmpdir(), "slipway-links-"));
  try {
    execFileSync("tar", ["-xzf", entry.file, "-C", dir]);
    const root = join(dir, "idna-3.20");
    const ctx = await readProject(root);
    assert.match(new TextDecoder().decode(ctx.contents.get("README.md")), /\(tools\/README\.md\)/);
    assert.deepEqual(checkLinks(ctx), []);
    const without = { ...ctx, files: ctx.files.filter((f) => f !== "tools/README.md") };
    assert.deepEqual(
      checkLinks(without).map((f) => f.id),
      ["LINK01"],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
