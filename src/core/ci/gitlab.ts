/**
 * `.gitlab-ci.yml`: the same checks, build, release and security schedule in GitLab CI's terms:
 * `rules` decide when each job runs, caches are keyed by the lockfile and the Python version,
 * the publish job alone gets an ID token (`id_tokens`, audience `pypi`, the variable slipway's
 * trusted publishing reads), and `resource_group` is the release lock (one at a time, queued,
 * never cancelled).
 */
import { TOOL_PINS } from "./action-pins.ts";
import type { CiFacts } from "./facts.ts";
import type { CiFileModel, CiJob } from "./model.ts";
import { runner, shellWord } from "./steps.ts";
import type { YamlMap } from "./yaml-emit.ts";

const MR_OR_DEFAULT = [
  { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
  { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"' },
];
const ON_TAG = [{ if: "$CI_COMMIT_TAG" }];
const ON_SCHEDULE = [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }];
// slipway runs on Node; the full Debian image also has Python 3 and git.
const NODE_IMAGE = `node:${TOOL_PINS.node}-bookworm`;

function installScript(facts: CiFacts, tools: string[]): string[] {
  const extra = facts.devExtra === undefined ? "" : `[${facts.devExtra}]`;
  switch (facts.lock.kind) {
    case "uv":
      return [`python -m pip install uv==${TOOL_PINS.uv}`, "uv sync --locked --all-extras"];
    case "poetry":
      return [
        `python -m pip install poetry==${TOOL_PINS.poetry}`,
        "poetry check --lock",
        "poetry install --no-interaction --all-extras",
      ];
    case "requirements":
      return [`python -m pip install -r ${facts.lock.path}`, "python -m pip install --no-deps -e ."];
    default:
      return [`python -m pip install -e ".${extra}"${tools.length > 0 ? ` ${tools.join(" ")}` : ""}`];
  }
}

function cache(facts: CiFacts, python: string): YamlMap {
  return {
    key: { files: [facts.lock.path ?? "pyproject.toml"], prefix: `${facts.lock.kind}-py${python}` },
    paths: [".cache/"],
  };
}

const CACHE_VARIABLES: YamlMap = {
  PIP_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pip",
  UV_CACHE_DIR: "$CI_PROJECT_DIR/.cache/uv",
  POETRY_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pypoetry",
};

const SLIPWAY = (version: string) => `npm install --global slipway@${version}`;

function checkJobs(facts: CiFacts, version: string): CiJob[] {
  const jobs: CiJob[] = [];
  const run = runner(facts);
  const t = facts.tools;
  const py = (python: string, tools: string[], script: string[], extra: YamlMap = {}): YamlMap => ({
    stage: "check",
    image: `python:${python}`,
    ...extra,
    rules: MR_OR_DEFAULT,
    cache: cache(facts, python),
    script: [...installScript(facts, tools), ...script],
  });
  if (t.ruff || t.black) {
    const script = [
      ...(t.ruff ? [`${run}ruff check .`, `${run}ruff format --check .`] : []),
      ...(t.black ? [`${run}black --check .`] : []),
    ];
    jobs.push({ id: "lint", body: py(facts.mainPython, t.ruff ? ["ruff"] : ["black"], script) });
  }
  if (t.mypy || t.pyright) {
    const script = [...(t.mypy ? [`${run}mypy .`] : []), ...(t.pyright ? [`${run}pyright`] : [])];
    jobs.push({
      id: "types",
      body: py(facts.mainPython, [...(t.mypy ? ["mypy"] : []), ...(t.pyright ? ["pyright"] : [])], script),
    });
  }
  if (t.pytest) {
    const coverage = t.coverageFailUnder !== undefined;
    const script = coverage ? [`${run}coverage run -m pytest`, `${run}coverage report`] : [`${run}pytest`];
    const body = py("$PYTHON", coverage ? ["pytest", "coverage"] : ["pytest"], script, {
      parallel: { matrix: [{ PYTHON: facts.pythons }] },
    });
    body["cache"] = {
      key: { files: [facts.lock.path ?? "pyproject.toml"], prefix: `${facts.lock.kind}-py$PYTHON` },
      paths: [".cache/"],
    };
    jobs.push({ id: "test", body });
  }
  if (facts.release.gates.length > 0) {
    jobs.push({
      id: "gates",
      body: {
        stage: "check",
        image: `python:${facts.mainPython}`,
        rules: MR_OR_DEFAULT,
        script: facts.release.gates.map((g) => g.map(shellWord).join(" ")),
      },
    });
  }
  jobs.push({
    id: "scan",
    body: {
      stage: "check",
      image: NODE_IMAGE,
      rules: MR_OR_DEFAULT,
      script: [
        SLIPWAY(version),
        ...(facts.lock.kind !== "none" ? ["slipway scan lock"] : []),
        "slipway scan --sarif slipway.sarif",
      ],
      artifacts: { when: "always", paths: ["slipway.sarif"], expire_in: "30 days" },
    },
  });
  return jobs;
}

function buildJobs(facts: CiFacts, version: string): CiJob[] {
  const rules = [...MR_OR_DEFAULT, ...ON_TAG];
  if (!facts.native) {
    return [
      {
        id: "build",
        body: {
          stage: "build",
          image: NODE_IMAGE,
          rules,
          script: [SLIPWAY(version), "slipway build --out dist"],
          artifacts: { paths: ["dist/"], expire_in: "30 days" },
        },
      },
    ];
  }
  return [
    {
      id: "sdist",
      body: {
        stage: "build",
        image: NODE_IMAGE,
        rules,
        script: [SLIPWAY(version), "slipway build --sdist --out dist"],
        artifacts: { paths: ["dist/"], expire_in: "30 days" },
      },
    },
    {
      id: "wheels",
      body: {
        stage: "build",
        image: `python:${facts.mainPython}`,
        services: [{ name: "docker:dind" }],
        variables: { DOCKER_HOST: "tcp://docker:2375", DOCKER_TLS_CERTDIR: "" },
        rules,
        script: [
          "curl -fsSL https://get.docker.com | sh",
          `python -m pip install cibuildwheel==${TOOL_PINS.cibuildwheel}`,
          "python -m cibuildwheel --output-dir wheelhouse --platform linux",
          "cd wheelhouse && sha256sum *.whl > SHA256SUMS-linux",
        ],
        artifacts: { paths: ["wheelhouse/"], expire_in: "30 days" },
      },
    },
  ];
}

function publishJob(facts: CiFacts, version: string, needs: string[]): CiJob {
  const trusted = facts.release.trusted;
  const audience = facts.release.to === "testpypi" ? "testpypi" : "pypi";
  const variable = audience === "testpypi" ? "TESTPYPI_ID_TOKEN" : "PYPI_ID_TOKEN";
  const body: YamlMap = {
    stage: "release",
    image: NODE_IMAGE,
    rules: ON_TAG,
    needs: needs.map((job) => ({ job, artifacts: true })),
    "#lock": "The release lock: one publish at a time, queued, never cancelled.",
    resource_group: "release",
    environment:
      facts.release.projectUrl === undefined
        ? { name: "pypi" }
        : { name: "pypi", url: facts.release.projectUrl },
  };
  // The index's token for the mint, and Sigstore's for the PEP 740 attestations `publish` makes
  // with trusted publishing.
  if (trusted) body["id_tokens"] = { [variable]: { aud: audience }, SIGSTORE_ID_TOKEN: { aud: "sigstore" } };
  body["script"] = [
    SLIPWAY(version),
    "mkdir -p dist && if [ -d wheelhouse ]; then cp wheelhouse/* dist/; fi",
    'cd dist && for f in *.whl *.tar.gz; do cat .SHA256SUMS SHA256SUMS-* 2>/dev/null | grep -q "  $f$" || { echo "$f is not in any checksums"; exit 1; }; done; cat .SHA256SUMS SHA256SUMS-* 2>/dev/null | sha256sum --check --strict; cd ..',
    "slipway check --strict dist/*.whl dist/*.tar.gz",
    trusted
      ? `slipway publish --to ${shellWord(facts.release.to)} --trusted-publishing always dist/*.whl dist/*.tar.gz`
      : `TWINE_USERNAME=__token__ TWINE_PASSWORD="$PYPI_API_TOKEN" slipway publish --to ${shellWord(facts.release.to)} --trusted-publishing never dist/*.whl dist/*.tar.gz`,
  ];
  return { id: "publish", body };
}

function securityJobs(version: string): CiJob[] {
  return [
    {
      id: "pages",
      body: {
        stage: "security",
        image: NODE_IMAGE,
        rules: ON_SCHEDULE,
        script: [SLIPWAY(version), "mkdir -p public", "slipway status --site public --out public/index.json"],
        artifacts: { paths: ["public"] },
      },
    },
    {
      id: "security-decide",
      body: {
        stage: "security",
        image: NODE_IMAGE,
        needs: [{ job: "pages", artifacts: true }],
        rules: ON_SCHEDULE,
        script: [
          SLIPWAY(version),
          'slipway status decide --from-url "$SLIPWAY_STATUS_URL" public/index.json --notes notes.md || test $? -eq 11 || test $? -eq 12',
        ],
        artifacts: { when: "always", paths: ["notes.md"] },
      },
    },
  ];
}

/** `.gitlab-ci.yml` of the project. */
export function assembleGitlabCi(facts: CiFacts, options: { slipwayVersion: string }): CiFileModel {
  const version = options.slipwayVersion;
  const builds = buildJobs(facts, version);
  const skipped =
    facts.skipped.length === 0
      ? {}
      : { "#skipped": `Skipped:\n${facts.skipped.map((s) => `- ${s}`).join("\n")}` };
  return {
    path: ".gitlab-ci.yml",
    preamble: [
      "Generated by `slipway ci init`. slipway owns the blocks between its markers and rewrites them",
      "when its inputs change; edit outside them (see docs/ci.md), or a re-run refuses and explains.",
    ],
    nested: false,
    header: {
      ...skipped,
      stages: ["check", "build", "release", "security"],
      workflow: {
        rules: [...MR_OR_DEFAULT, ...ON_TAG, ...ON_SCHEDULE, { if: '$CI_PIPELINE_SOURCE == "web"' }],
      },
      variables: CACHE_VARIABLES,
    },
    jobs: [
      ...checkJobs(facts, version),
      ...builds,
      publishJob(
        facts,
        version,
        builds.map((b) => b.id),
      ),
      ...securityJobs(version),
    ],
  };
}
