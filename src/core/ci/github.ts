// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} are GitHub expressions, written into YAML as they are
/**
 * The GitHub Actions workflows (and, with the Gitea flavor, Gitea Actions'): checks on every
 * pull request and push, the release on a tag or a manual dispatch, and the weekly security
 * schedule. The subtle parts (reference/security-ci.md §5): permissions `{}` at the top and the
 * least each job needs; `id-token: write` only on the job that publishes (and on the Pages
 * deploy, which GitHub requires); no build script ever runs where that permission is; a fixed
 * release concurrency group that never cancels; caches only in the checks (a poisoned cache
 * must never reach a release).
 */

import { pushAll } from "../arrays.ts";
import { TOOL_PINS } from "./action-pins.ts";
import type { CiFacts } from "./facts.ts";
import type { CiFileModel, CiJob } from "./model.ts";
import {
  cacheStep,
  checkout,
  type Flavor,
  installProject,
  installSlipway,
  runner,
  setupPython,
  shellWord,
  slipway,
  uses,
} from "./steps.ts";
import type { YamlMap, YamlValue } from "./yaml-emit.ts";

const RUNS_ON = "ubuntu-latest";
const READ: YamlMap = { contents: "read" };

function job(body: YamlMap): YamlMap {
  return { "runs-on": RUNS_ON, ...body };
}

function pythonJob(
  facts: CiFacts,
  flavor: Flavor,
  kind: "lint" | "types" | "test",
  python: string,
): YamlValue[] {
  return [
    checkout(flavor),
    setupPython(flavor, python),
    cacheStep(facts, flavor, python),
    installProject(facts, kind),
  ];
}

function checksJobs(facts: CiFacts, flavor: Flavor): CiJob[] {
  const jobs: CiJob[] = [];
  const run = runner(facts);
  const t = facts.tools;
  if (t.ruff || t.black) {
    const steps: YamlValue[] = pythonJob(facts, flavor, "lint", facts.mainPython);
    if (t.ruff) steps.push({ run: `${run}ruff check .` }, { run: `${run}ruff format --check .` });
    if (t.black) steps.push({ run: `${run}black --check .` });
    jobs.push({ id: "lint", body: job({ permissions: READ, steps }) });
  }
  if (t.mypy || t.pyright) {
    const steps: YamlValue[] = pythonJob(facts, flavor, "types", facts.mainPython);
    if (t.mypy) steps.push({ run: `${run}mypy .` });
    if (t.pyright) steps.push({ run: `${run}pyright` });
    jobs.push({ id: "types", body: job({ permissions: READ, steps }) });
  }
  if (t.pytest) {
    const steps: YamlValue[] = pythonJob(facts, flavor, "test", "${{ matrix.python }}");
    if (t.coverageFailUnder !== undefined) {
      steps.push({
        name: `Tests with coverage (fail under ${t.coverageFailUnder}%)`,
        run: `${run}coverage run -m pytest\n${run}coverage report\n`,
      });
    } else steps.push({ run: `${run}pytest` });
    jobs.push({
      id: "test",
      body: job({
        permissions: READ,
        strategy: { "fail-fast": false, matrix: { python: facts.pythons } },
        steps,
      }),
    });
  }
  if (facts.release.gates.length > 0) {
    const steps: YamlValue[] = [checkout(flavor), setupPython(flavor, facts.mainPython)];
    for (const gate of facts.release.gates) steps.push({ run: gate.map(shellWord).join(" ") });
    jobs.push({
      id: "gates",
      body: job({
        "#": "The release gates of [tool.slipway.release] gates, on every change.",
        permissions: READ,
        steps,
      }),
    });
  }
  const scanSteps: YamlValue[] = [checkout(flavor), ...installSlipway(flavor)];
  if (facts.lock.kind !== "none")
    scanSteps.push({ name: "Lockfile integrity", run: slipway(flavor, "scan lock") });
  if (flavor.host === "github") {
    scanSteps.push(
      { name: "Scan (secrets, dependencies, lockfiles)", run: slipway(flavor, "scan --sarif slipway.sarif") },
      {
        name: "Upload to code scanning",
        if: "${{ !cancelled() && hashFiles('slipway.sarif') != '' }}",
        uses: uses("uploadSarif", flavor),
        with: { sarif_file: "slipway.sarif", category: "slipway" },
      },
    );
  } else {
    scanSteps.push({
      "#": "Gitea has no code scanning: the findings stay in the log.",
      name: "Scan (secrets, dependencies, lockfiles)",
      run: slipway(flavor, "scan"),
    });
  }
  jobs.push({
    id: "scan",
    body: job({
      permissions: flavor.host === "github" ? { contents: "read", "security-events": "write" } : READ,
      steps: scanSteps,
    }),
  });
  pushAll(jobs, buildJobs(facts, flavor));
  return jobs;
}

/** Writes SHA256SUMS-<name> over a directory's distributions, with Python (the same on every OS). */
function sumsScript(dir: string, name: string): string {
  return [
    `python - <<'EOF'`,
    "import hashlib, pathlib",
    `d = pathlib.Path("${dir}")`,
    "lines = [f\"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\\n\" for p in sorted(d.iterdir()) if p.name.endswith(('.whl', '.tar.gz'))]",
    `(d / "SHA256SUMS-${name}").write_text("".join(lines))`,
    "EOF",
    "",
  ].join("\n");
}

function upload(flavor: Flavor, name: string, path: string): YamlMap {
  const v4 = flavor.host === "github";
  return {
    uses: uses(v4 ? "uploadArtifact" : "uploadArtifactV3", flavor),
    with: {
      name,
      path,
      "if-no-files-found": "error",
      // The sums and slipway's manifest are dot files: v4 leaves hidden files out unless asked.
      ...(v4 ? { "include-hidden-files": true } : {}),
    },
  };
}

/** sdist + wheel (pure), or an sdist job and a cibuildwheel matrix (native); each uploads its files with sums. */
function buildJobs(facts: CiFacts, flavor: Flavor): CiJob[] {
  const setup = [checkout(flavor), setupPython(flavor, facts.mainPython), ...installSlipway(flavor)];
  if (!facts.native) {
    return [
      {
        id: "build",
        body: job({
          "#": `${facts.nativeWhy}. slipway build writes .SHA256SUMS and its manifest beside them.`,
          permissions: READ,
          steps: [
            ...setup,
            { run: slipway(flavor, "build --out dist") },
            upload(flavor, "dist-pure", "dist/"),
          ],
        }),
      },
    ];
  }
  return [
    {
      id: "sdist",
      body: job({
        permissions: READ,
        steps: [
          ...setup,
          { run: slipway(flavor, "build --sdist --out dist") },
          upload(flavor, "dist-sdist", "dist/"),
        ],
      }),
    },
    {
      id: "wheels",
      body: {
        "#": `Native code (${facts.nativeWhy}): one runner per platform, each uploading its own wheels and sums.`,
        "runs-on": "${{ matrix.os }}",
        permissions: READ,
        strategy: { "fail-fast": false, matrix: { os: ["ubuntu-latest", "macos-latest", "windows-latest"] } },
        defaults: { run: { shell: "bash" } },
        steps: [
          checkout(flavor),
          setupPython(flavor, facts.mainPython),
          { run: `python -m pip install cibuildwheel==${TOOL_PINS.cibuildwheel}` },
          { run: "python -m cibuildwheel --output-dir wheelhouse" },
          { name: "Checksums", run: sumsScript("wheelhouse", "${{ matrix.os }}") },
          upload(flavor, "dist-wheels-${{ matrix.os }}", "wheelhouse/"),
        ],
      },
    },
  ];
}

/** The check that nothing a runner did not make is in dist/: every file listed in some sums file, with that hash. */
const VERIFY_SCRIPT = `set -euo pipefail
shopt -s nullglob
cd dist
sums=(.SHA256SUMS SHA256SUMS-*)
test \${#sums[@]} -gt 0
for f in *.whl *.tar.gz; do
  if ! grep -hq "  \${f}$" "\${sums[@]}"; then echo "::error::\${f} is not listed in any runner's checksums"; exit 1; fi
done
cat "\${sums[@]}" | sha256sum --check --strict
`;

function publishJob(facts: CiFacts, flavor: Flavor, needs: string[]): CiJob {
  const github = flavor.host === "github";
  const download: YamlMap = github
    ? {
        uses: uses("downloadArtifact", flavor),
        with: { pattern: "dist-*", "merge-multiple": true, path: "dist" },
      }
    : { uses: uses("downloadArtifactV3", flavor), with: { path: "artifacts" } };
  const steps: YamlValue[] = [...installSlipway(flavor), download];
  if (!github) {
    steps.push({
      name: "Gather the artifacts",
      run: "mkdir -p dist\nfind artifacts -type f -exec cp {} dist/ \\;\n",
    });
  }
  const to = facts.release.to;
  steps.push(
    { name: "Verify the artifacts against the runners' checksums", run: VERIFY_SCRIPT },
    { name: "Check the distributions", run: slipway(flavor, "check --strict dist/*.whl dist/*.tar.gz") },
  );
  const envNames: YamlMap = {};
  for (const name of facts.release.env) envNames[name] = `\${{ secrets.${name} }}`;
  if (github && facts.release.trusted) {
    steps.push({
      name: "Publish (trusted publishing; a re-run skips what the index already has)",
      run: slipway(
        flavor,
        `publish --to ${shellWord(to)} --trusted-publishing always dist/*.whl dist/*.tar.gz`,
      ),
      ...(facts.release.env.length > 0 ? { env: envNames } : {}),
    });
  } else {
    steps.push({
      "#": github
        ? "This index takes no trusted publishing: a token scoped to this project, as a secret."
        : "Gitea Actions has no OIDC ID tokens (go-gitea/gitea#26383) and PyPI has no Gitea trusted\npublisher, so this job uploads with a token scoped to this one project, kept as a secret.",
      name: "Publish (a re-run skips what the index already has)",
      run: slipway(
        flavor,
        `publish --to ${shellWord(to)} --trusted-publishing never dist/*.whl dist/*.tar.gz`,
      ),
      env: { ...envNames, TWINE_USERNAME: "__token__", TWINE_PASSWORD: "${{ secrets.PYPI_API_TOKEN }}" },
    });
  }
  const body: YamlMap = {
    "#": "No checkout and no build here: the only job that can publish runs none of the project's code.",
    needs,
    "runs-on": RUNS_ON,
  };
  if (github) {
    body["environment"] =
      facts.release.projectUrl === undefined ? "pypi" : { name: "pypi", url: facts.release.projectUrl };
    body["permissions"] = facts.release.trusted ? { "id-token": "write" } : {};
  } else {
    body["permissions"] = {};
  }
  body["steps"] = steps;
  return { id: "publish", body };
}

function releaseJobs(facts: CiFacts, flavor: Flavor): CiJob[] {
  const builds = buildJobs(facts, flavor);
  return [
    ...builds,
    publishJob(
      facts,
      flavor,
      builds.map((b) => b.id),
    ),
  ];
}

function securityJobs(flavor: Flavor): CiJob[] {
  const github = flavor.host === "github";
  const status: YamlValue[] = [
    checkout(flavor),
    ...installSlipway(flavor),
    {
      name: "Security status",
      run: `mkdir -p site\n${slipway(flavor, "status --site site --out site/index.json")}\n`,
    },
  ];
  status.push(
    github
      ? { uses: uses("uploadPagesArtifact", flavor), with: { path: "site/" } }
      : upload(flavor, "status-site", "site/"),
  );
  const jobs: CiJob[] = [{ id: "status", body: job({ permissions: READ, steps: status }) }];
  if (github) {
    jobs.push({
      id: "pages",
      body: {
        "#": "Pages deploys through OIDC (id-token: write); this job runs nothing but the deploy.",
        needs: ["status"],
        "runs-on": RUNS_ON,
        environment: { name: "github-pages", url: "${{ steps.deploy.outputs.page_url }}" },
        permissions: { pages: "write", "id-token": "write" },
        steps: [{ id: "deploy", uses: uses("deployPages", flavor) }],
      },
    });
  }
  const decide: YamlValue[] = [
    checkout(flavor),
    ...installSlipway(flavor),
    {
      uses: uses(github ? "downloadArtifact" : "downloadArtifactV3", flavor),
      with: github ? { name: "github-pages", path: "new" } : { name: "status-site", path: "new" },
    },
  ];
  if (github) decide.push({ run: "tar -xf new/artifact.tar -C new" });
  decide.push({
    name: "Decide",
    id: "decide",
    run: [
      "set +e",
      slipway(flavor, 'status decide --from-url "${STATUS_URL}" new/index.json --notes notes.md'),
      "code=$?",
      "set -e",
      'case "$code" in 0) d=no-action;; 10) d=release-now;; 11) d=release-recommended;; 12) d=hold;; *) exit "$code";; esac',
      'echo "decision=$d" >> "$GITHUB_OUTPUT"',
      "",
    ].join("\n"),
    env: { STATUS_URL: "${{ vars.SLIPWAY_STATUS_URL }}" },
  });
  if (github) {
    decide.push(
      {
        name: "Release now",
        if: "steps.decide.outputs.decision == 'release-now'",
        run: 'gh workflow run release.yml --ref "${GITHUB_REF_NAME}"',
        env: { GH_TOKEN: "${{ github.token }}" },
      },
      {
        name: "Open an issue",
        if: "steps.decide.outputs.decision == 'release-recommended' || steps.decide.outputs.decision == 'hold'",
        run: 'gh issue create --title "Security: ${DECISION}" --body-file notes.md',
        env: { GH_TOKEN: "${{ github.token }}", DECISION: "${{ steps.decide.outputs.decision }}" },
      },
    );
  }
  jobs.push({
    id: "decide",
    body: job({
      "#": "The policy of [tool.slipway.security.policy] decides: release now, open an issue, or nothing.",
      needs: ["status"],
      permissions: github ? { contents: "read", actions: "write", issues: "write" } : READ,
      steps: decide,
    }),
  });
  return jobs;
}

function badgesJob(facts: CiFacts, flavor: Flavor, needs: string[], readme: string): CiJob {
  return {
    id: "badges",
    body: job({
      "#": "After a green run on the default branch: the README's badges, committed when they changed.",
      needs,
      if: `github.event_name == 'push' && github.ref == 'refs/heads/${facts.release.branch}'`,
      permissions: { contents: "write" },
      steps: [
        checkout(flavor),
        ...installSlipway(flavor),
        {
          run: `git config user.name "slipway"\ngit config user.email "slipway@users.noreply.github.com"\n${slipway(flavor, `badges --write ${shellWord(readme)} --commit --gates-status passing`)}\n`,
        },
        {
          name: "Push the badge commit",
          run: 'git push "https://x-access-token:${GH_TOKEN}@${GITHUB_SERVER_URL#https://}/${GITHUB_REPOSITORY}.git" "HEAD:${GITHUB_REF_NAME}"',
          env: { GH_TOKEN: "${{ github.token }}" },
        },
      ],
    }),
  };
}

export interface WorkflowOptions {
  flavor: Flavor;
  /** The README the badges job keeps (undefined: no badges job). */
  readme: string | undefined;
}

/** The workflow files of GitHub (`.github/workflows`) or Gitea (`.gitea/workflows`). */
export function assembleWorkflows(facts: CiFacts, options: WorkflowOptions): CiFileModel[] {
  const { flavor } = options;
  const dir = flavor.host === "github" ? ".github/workflows" : ".gitea/workflows";
  const preamble = [
    "Generated by `slipway ci init`. slipway owns the blocks between its markers and rewrites them",
    "when its inputs change; edit outside them (see docs/ci.md), or a re-run refuses and explains.",
  ];
  const checks = checksJobs(facts, flavor);
  if (options.readme !== undefined)
    checks.push(
      badgesJob(
        facts,
        flavor,
        checks.map((j) => j.id),
        options.readme,
      ),
    );
  const skipped =
    facts.skipped.length === 0
      ? {}
      : { "#skipped": `Skipped:\n${facts.skipped.map((s) => `- ${s}`).join("\n")}` };
  return [
    {
      path: `${dir}/checks.yml`,
      preamble,
      nested: true,
      header: {
        name: "checks",
        ...skipped,
        on: { pull_request: null, push: { branches: [facts.release.branch] } },
        permissions: {},
        concurrency: { group: "checks-${{ github.ref }}", "cancel-in-progress": true },
      },
      jobs: checks,
    },
    {
      path: `${dir}/release.yml`,
      preamble,
      nested: true,
      header: {
        name: "release",
        on: { push: { tags: [facts.release.tagPattern] }, workflow_dispatch: null },
        permissions: {},
        "#lock": "The release lock: one release at a time, and a second one waits; never cancelled halfway.",
        concurrency: { group: "release", "cancel-in-progress": false },
      },
      jobs: releaseJobs(facts, flavor),
    },
    {
      path: `${dir}/security.yml`,
      preamble,
      nested: true,
      header: {
        name: "security",
        on: { schedule: [{ cron: "17 5 * * 1" }], workflow_dispatch: null },
        permissions: {},
        concurrency: { group: "security", "cancel-in-progress": false },
      },
      jobs: securityJobs(flavor),
    },
  ];
}
