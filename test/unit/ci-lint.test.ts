/**
 * Every generated file passes the real linters: actionlint and zizmor (no findings) for GitHub
 * and Gitea workflows, GitLab's CI JSON schema for .gitlab-ci.yml; and the parts the linters
 * cannot see (who holds id-token, where build scripts run, the release lock) are asserted here.
 * The inputs: the three example projects, a real sdist's pyproject.toml from the corpus, and
 * variants that switch every generator branch (native, each lockfile, gates, env, other index).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { parse } from "yaml";
import { renderFile } from "../../src/core/ci/blocks.ts";
import { assembleCiFacts, type CiFacts, type CiFactsInput } from "../../src/core/ci/facts.ts";
import type { CiProvider } from "../../src/core/ci/model.ts";
import { assembleCiModels } from "../../src/core/ci/plan.ts";
import { parsePyproject } from "../../src/core/pyproject/toml.ts";
import { parseReleaseConfig } from "../../src/core/release/config.ts";
import { actionlint, gitlabSchemaProblems, zizmor } from "../helpers/ci-linters.ts";
import { loadCorpus } from "../helpers/corpus.ts";

const root = join(dirname(new URL(import.meta.url).pathname), "../..");
const work = mkdtempSync(join(tmpdir(), "slipway-ci-lint-"));
after(() => rmSync(work, { recursive: true, force: true }));

function factsOf(pyprojectText: string, present: string[], extra: Partial<CiFactsInput> = {}): CiFacts {
  const parsed = parsePyproject(pyprojectText);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return assembleCiFacts({
    pyproject: parsed.value,
    present: new Set(present),
    release: parseReleaseConfig(parsed.value),
    tagFormat: undefined,
    setupPy: undefined,
    defaultBranch: undefined,
    ...extra,
  });
}

const example = (name: string) => readFileSync(join(root, "examples", name, "pyproject.toml"), "utf8");

function realSdistPyproject(): string {
  const sdist = loadCorpus().find((e) => e.category === "real" && /^packaging-.*\.tar\.gz$/.test(e.name));
  assert.ok(sdist, "the corpus holds packaging's sdist");
  const dir = join(work, "sdist");
  mkdirSync(dir, { recursive: true });
  execFileSync("tar", ["-xzf", sdist.file, "-C", dir, "--wildcards", "*/pyproject.toml"]);
  const top = execFileSync("ls", [dir], { encoding: "utf8" }).trim().split("\n")[0]!;
  return readFileSync(join(dir, top, "pyproject.toml"), "utf8");
}

const NATIVE = `[build-system]
requires = ["scikit-build-core"]
build-backend = "scikit_build_core.build"
[project]
name = "fast_thing"
version = "1.0"
requires-python = ">=3.10"
[project.optional-dependencies]
dev = ["pytest"]
[tool.ruff]
[tool.black]
[tool.pyright]
[tool.coverage.report]
fail_under = 90
[tool.slipway.release]
gates = ["pytest -q", ["ruff", "check", "."]]
env = ["SERVICE_KEY"]
branch = "trunk"
`;

const OTHER_INDEX = `[project]
name = "inhouse"
version = "0.1"
[tool.mypy]
[tool.slipway.release]
to = "https://upload.example.invalid/legacy/"
`;

const CASES: { name: string; facts: () => CiFacts; readme?: string }[] = [
  { name: "hatch-lib", facts: () => factsOf(example("hatch-lib"), []), readme: "README.md" },
  { name: "prompt-manager", facts: () => factsOf(example("prompt-manager"), ["tests"]), readme: "README.md" },
  { name: "setuptools-flat", facts: () => factsOf(example("setuptools-flat"), []), readme: "README.rst" },
  { name: "packaging sdist", facts: () => factsOf(realSdistPyproject(), ["tests"]), readme: "README.rst" },
  { name: "native + uv.lock", facts: () => factsOf(NATIVE, ["uv.lock", "tests"]) },
  {
    name: "poetry.lock",
    facts: () =>
      factsOf(example("hatch-lib").replace("[tool.hatch", "[tool.ruff]\n[tool.mypy]\n[tool.hatch"), [
        "poetry.lock",
        "tests",
      ]),
  },
  {
    name: "requirements + other index",
    facts: () => factsOf(OTHER_INDEX, ["requirements-dev.txt", "conftest.py"]),
  },
];

function write(path: string, text: string): string {
  const file = join(work, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

type Job = Record<string, unknown> & {
  steps?: Record<string, unknown>[];
  permissions?: Record<string, string>;
};

describe("generated workflows pass actionlint and zizmor", () => {
  for (const provider of ["github", "gitea"] as const satisfies CiProvider[]) {
    for (const c of CASES) {
      test(`${provider}: ${c.name}`, async () => {
        const facts = c.facts();
        const models = assembleCiModels(facts, { provider, slipwayVersion: "0.1.0", readme: c.readme });
        const files: string[] = [];
        for (const model of models) {
          const text = renderFile(model);
          const problems = await actionlint(text, model.path);
          assert.deepEqual(problems, [], `${model.path}:\n${text}`);
          files.push(write(`${provider}-${c.name}/${model.path}`, text));
          const doc = parse(text) as {
            jobs: Record<string, Job>;
            permissions: unknown;
            concurrency?: Record<string, unknown>;
          };
          assert.deepEqual(doc.permissions, {}, "no permission at the workflow level");
          for (const [id, job] of Object.entries(doc.jobs)) {
            assert.ok(job.permissions !== undefined, `${model.path} ${id}: explicit permissions`);
            const idToken = job.permissions?.["id-token"];
            if (idToken !== undefined) {
              assert.equal(provider, "github");
              assert.ok(id === "publish" || id === "pages", `${id} holds id-token`);
              // Nothing of the project runs where the OIDC permission is.
              const uses = (job.steps ?? []).map((s) => String(s["uses"] ?? ""));
              assert.ok(!uses.some((u) => u.includes("actions/checkout")), `${id} checks out code`);
              assert.ok(
                !(job.steps ?? []).some((s) =>
                  /\bbuild\b|cibuildwheel|pip install/.test(String(s["run"] ?? "")),
                ),
              );
            }
          }
          if (model.path.endsWith("release.yml")) {
            assert.deepEqual(doc.concurrency, { group: "release", "cancel-in-progress": false });
            const publish = doc.jobs["publish"]!;
            if (provider === "github") {
              const env = publish["environment"];
              assert.equal(typeof env === "string" ? env : (env as { name: string }).name, "pypi");
              assert.equal(publish.permissions?.["id-token"], facts.release.trusted ? "write" : undefined);
            } else {
              assert.equal(publish["environment"], undefined, "Gitea has no environments");
              assert.match(text, /no OIDC ID tokens/);
              assert.match(text, /secrets\.PYPI_API_TOKEN/);
            }
          }
          if (model.path.endsWith("checks.yml") && facts.lock.path !== undefined) {
            assert.ok(text.includes(`hashFiles('${facts.lock.path}')`), "the cache is keyed by the lockfile");
          }
          for (const v of [...text.matchAll(/uses: "?([^\s"#]+)"?/g)].map((m) => m[1]!)) {
            assert.match(v, /@[0-9a-f]{40}$/, `${v} is pinned by SHA`);
          }
        }
        const findings = zizmor(files);
        assert.deepEqual(
          findings.map((f) => `${f.ident}: ${f.desc}`),
          [],
          files.map((f) => readFileSync(f, "utf8")).join("\n---\n"),
        );
      });
    }
  }
});

describe("the linters bite", () => {
  test("actionlint and zizmor report a workflow with the classic mistakes", async () => {
    const bad = `on: pull_request_target
permissions:
  id-token: write
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "\${{ github.event.pull_request.title }}"
`;
    assert.ok((await actionlint(bad, "bad.yml")).some((p) => p.kind === "expression"));
    const idents = new Set(zizmor([write("bad/.github/workflows/bad.yml", bad)]).map((f) => f.ident));
    for (const ident of ["unpinned-uses", "template-injection", "dangerous-triggers"])
      assert.ok(idents.has(ident), ident);
  });

  test("GitLab's schema refuses an unknown job key", () => {
    assert.match(gitlabSchemaProblems(write("bad/.gitlab-ci.yml", "job:\n  scriptx: [a]\n")), /scriptx/);
  });
});

describe(".gitlab-ci.yml passes GitLab's CI schema", () => {
  for (const c of CASES) {
    test(c.name, () => {
      const facts = c.facts();
      const [model] = assembleCiModels(facts, { provider: "gitlab", slipwayVersion: "0.1.0" });
      const text = renderFile(model!);
      const file = write(`gitlab-${c.name}/.gitlab-ci.yml`, text);
      assert.equal(gitlabSchemaProblems(file), "", text);
      const doc = parse(text) as Record<string, Record<string, unknown>>;
      const publish = doc["publish"]!;
      assert.equal(publish["resource_group"], "release");
      assert.deepEqual(publish["rules"], [{ if: "$CI_COMMIT_TAG" }]);
      if (facts.release.trusted)
        assert.deepEqual(publish["id_tokens"], {
          PYPI_ID_TOKEN: { aud: "pypi" },
          SIGSTORE_ID_TOKEN: { aud: "sigstore" },
        });
      else assert.equal(publish["id_tokens"], undefined);
      for (const [id, job] of Object.entries(doc)) {
        if (id !== "publish" && typeof job === "object" && job !== null)
          assert.equal(job["id_tokens"], undefined, id);
      }
    });
  }
});
