/** `slipway release [PATH] [options]`: argv → the release op → a task list and a report. */
import { createInterface } from "node:readline/promises";
import { parseBumpKind } from "../../core/pep440/bump.ts";
import { renderFindingLine } from "../../core/release/findings.ts";
import { describeVerifyResult } from "../../core/verify/step-results.ts";
import { SlipwayError } from "../../errors.ts";
import { releaseSteps } from "../../ops/release/steps.ts";
import { type ReleaseEvent, type ReleasePlan, release } from "../../ops/release.ts";
import type { VersionMenuRead } from "../../ops/version-menu.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { readPasswordFromStdin } from "../password-stdin.ts";
import { jsonLine, reportLine } from "../render/json-lines.ts";
import { isPlain, makeStyle, wantsColor } from "../style.ts";
import { askNextVersion, canAsk } from "../version-prompt.ts";
import { attestationsMode, githubMask, sigstoreOption, trustedMode } from "./publish.ts";
import { hostReleaseLines } from "./release-host.ts";
import { ReleaseProgress } from "./release-progress.ts";
import { outcomeJson, renderHeadline, renderOutcome } from "./release-render.ts";

export const HELP = `Usage: slipway release [PATH] [--bump KIND | --version X] [options]

The whole release as one resumable run. Every preflight check runs first and reports together
(clean tree, release branch, up to date with the remote, tag free, declared environment
variables set, gate commands green, the target's credentials proven by an upload request it
refuses for its content only after logging in, version not on the target yet); then:

  write version + changelog → build → check → publish to the stage → install from the stage and
  smoke-test → commit + tag locally → save the release state on the remote │ publish to the
  target → push commit and tag → the GitHub / Gitea / GitLab release of the tag, with the
  changelog entry and the files (when the remote is on such a host, or [tool.slipway.release]
  host names one; its token from GITHUB_TOKEN, GITEA_TOKEN or GITLAB_TOKEN; without the token
  it is skipped and says so; docs/host-releases.md)

Nothing public happens until everything before it is proven: a failure before the target
accepts its first file (the target refusing every file included) undoes the state refs, the
tag, the commit and the file edits, leaving the repository as it was. After it, nothing is
undone: 'slipway release --resume' continues, re-checking the index and the
remote instead of trusting the journal (.slipway/release.json). A lock keeps two releases of
one project from running at once. See docs/release.md.

pip (build requirements, the install from the stage) runs isolated from your pip configuration:
no pip.conf and no PIP_* variable is read, only --find-links, --no-index and the stage's URL.

Options:
  --bump KIND            major, minor, patch, pre, pre=a|b|rc, post, dev, release. Without it
                         (and without --version): on a terminal, a menu of the next versions
                         and a comment for the commit; elsewhere, the bump the conventional
                         commits since the last release tag call for, else an error listing
                         the exact --bump/--version for each candidate
  --version X            an explicit PEP 440 version instead of a bump (greater than the current)
  --to NAME|URL          target index (default: [tool.slipway.release] to, else pypi)
  --check-url URL        the target's simple-API root, for indexes other than PyPI/TestPyPI
  --username U           target user name (default: TWINE_USERNAME, .pypirc, __token__)
  --password-stdin       read the target's token from standard input (else TWINE_PASSWORD, .pypirc)
  --pypirc FILE          .pypirc to read (default ~/.pypirc)
  --trusted-publishing auto|always|never
                         mint a short-lived target token from the CI's OIDC token (GitHub,
                         GitLab, Google); auto: when no password is configured (as publish)
  --attestations auto|always|never
                         PEP 740 attestations for the target, signed with Sigstore (auto: with
                         trusted publishing, as publish); see docs/attestations.md
  --fulcio URL, --rekor URL, --trust-root FILE
                         a private Sigstore for the attestations (all three together)
  --stage local|NAME     stage on the embedded index (default) or a configured index
  --stage-upstream URL   where the embedded stage finds dependencies (default pypi.org; 'none')
  --no-push              commit and tag locally; push nothing
  --python EXE           interpreter to build and verify with
  --find-links DIR|URL   extra place pip finds build backends and dependencies; repeatable
  --no-index             build backends from --find-links only
  --dry-run              build (in a scratch git worktree of HEAD with the planned edits),
                         check, stage and verify for real; print the rest (diffs, changelog
                         entry, commit, tag, uploads, push); change nothing
  --security-notes FILE  put the bullets of FILE (written by 'slipway status decide --notes')
                         into the changelog entry's Security section
  --resume               continue an interrupted or failed release: from .slipway/ here, else
                         from the state a run elsewhere saved on the remote before publishing
                         (refs/slipway/release/<tag>); with --version X, the release of X
  --yes                  ask nothing on a terminal (no version menu, no confirmation)
  --json                 NDJSON on stdout: one line per event as the run goes (the plan, each
                         step's start, progress, end or failure), then one {"type":"report",...}
                         line with the plan, every step's outcome and the problems; see
                         docs/json.md
  -h, --help             show this help

Exit status: 0 released (or dry run passed), 1 blocked or failed, 2 usage or configuration error.

Examples:
  slipway release                                on a terminal: pick the version, confirm, release
  slipway release --dry-run                      see the whole release; change nothing
  slipway release --bump minor                   1.2.3 → 1.3.0, staged, verified, published to PyPI
  slipway release --bump patch --trusted-publishing always   from a GitHub job with id-token: write
  slipway release --version 2.0.0rc1 --to testpypi
  TWINE_PASSWORD=... slipway release --yes       in CI (no prompt there anyway)
  slipway release --resume                       after a failure or a kill: continue where it stopped
  git clone URL p && cd p && slipway release --resume
                                                 continue a release whose CI runner died after
                                                 its commit point, on another machine
`;

/** A step's progress event as the lines the task list and plain output show; undefined for other events. */
export function renderStepEvent(event: ReleaseEvent): { step: string; lines: string[] } | undefined {
  const lines = stepEventLines(event);
  return lines === undefined || !("step" in event) ? undefined : { step: event.step, lines };
}

function stepEventLines(e: ReleaseEvent): string[] | undefined {
  switch (e.type) {
    case "gate":
      return [`gate: ${e.argv.join(" ")}`];
    case "build-phase":
      // A dry run writes into its scratch, which is gone when the user could look.
      return [
        e.scratch
          ? `${e.phase}: a scratch directory`
          : e.detail === undefined
            ? e.phase
            : `${e.phase}: ${e.detail}`,
      ];
    case "checked":
      return [
        `no errors, ${e.warnings} warning${e.warnings === 1 ? "" : "s"}`,
        ...e.findings.map(renderFindingLine),
      ];
    case "file-published":
      return [`${e.filename}: ${e.status}`];
    case "smoke-test": {
      const t = e.test;
      return [
        `${t.ok ? (t.warning ? "warning" : "ok") : "FAILED"} ${t.kind} ${t.subject}${t.warning ? `: ${describeVerifyResult(t.result)}` : ""}`,
      ];
    }
    case "checkpoint-saved":
      return [`${e.ref} → ${e.remote}: the journal and ${e.artifacts} artifacts`];
    case "restored":
      return [
        `restored the release ${e.tag} from ${e.remote} (${e.ref}): the journal and ${e.artifacts} artifacts, sha256 checked`,
      ];
    case "already-complete":
      return [
        `the release ${e.tag} is already complete on ${e.remote} (its tag and commit are there); removed its state refs`,
      ];
    case "host-release":
    case "host-asset":
    case "host-wait":
      return hostReleaseLines(e);
    default:
      return undefined;
  }
}

async function ask(io: CommandIO, plan: ReleasePlan): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: io.stderr as NodeJS.WritableStream });
  try {
    const answer = await rl.question(
      `Release ${plan.name} ${plan.version} to ${plan.target.name ?? plan.target.uploadUrl}? [y/N] `,
    );
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const write = (stream: NodeJS.WritableStream, text: string) => stream.write(redact(text));
  let progress: ReleaseProgress | undefined;
  let cancelled = false;
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      bump: { type: "string" },
      version: { type: "string" },
      to: { type: "string" },
      "check-url": { type: "string" },
      username: { type: "string" },
      "password-stdin": { type: "boolean" },
      pypirc: { type: "string" },
      "trusted-publishing": { type: "string" },
      attestations: { type: "string" },
      fulcio: { type: "string" },
      rekor: { type: "string" },
      "trust-root": { type: "string" },
      stage: { type: "string" },
      "stage-upstream": { type: "string" },
      "no-push": { type: "boolean" },
      python: { type: "string" },
      "find-links": { type: "string", multiple: true },
      "no-index": { type: "boolean" },
      "dry-run": { type: "boolean" },
      resume: { type: "boolean" },
      yes: { type: "boolean" },
      json: { type: "boolean" },
      "security-notes": { type: "string" },
    });
    if (values.help) {
      write(io.stdout, HELP);
      return 0;
    }
    if (positionals.length > 1) {
      throw new SlipwayError("usage", `one project directory at most, got ${positionals.length}`, {
        hint: "run 'slipway release --help'",
      });
    }
    if (values.bump !== undefined && values.version !== undefined) {
      throw new SlipwayError("usage", "--bump and --version cannot be combined", { hint: "pick one" });
    }
    if (values.resume && values.bump !== undefined) {
      throw new SlipwayError("usage", "--resume continues the recorded plan; it takes no --bump", {
        hint: "run 'slipway release --resume' alone (--version only picks which release to resume)",
      });
    }
    let bump: ReturnType<typeof parseBumpKind> | undefined;
    if (values.bump !== undefined) {
      bump = parseBumpKind(values.bump);
      if (!bump.ok) throw new SlipwayError("usage", bump.error, { hint: "run 'slipway release --help'" });
    }
    json = values.json === true;
    const password = values["password-stdin"] ? await readPasswordFromStdin("release") : undefined;
    const trustedPublishing = trustedMode(values["trusted-publishing"]);
    const attestations = attestationsMode(values.attestations);
    const sigstore = sigstoreOption(values.fulcio, values.rekor, values["trust-root"]);
    const mask = githubMask(io);
    const style = makeStyle(!json && wantsColor(io.stderr, io.env));
    const plain = isPlain(io.stderr, io.env);
    progress = new ReleaseProgress({
      stream: io.stderr,
      plain,
      quiet: json,
      style,
      now: Date.now,
      dryRun: values["dry-run"] === true,
    });
    const shown = progress;
    const terminal = !values.yes && !json && canAsk(process.stdin, io.stderr, io.env);
    const confirm =
      !terminal || values["dry-run"] ? undefined : async (plan: ReleasePlan) => await ask(io, plan);
    // Asked only when no --bump or --version says the version (see docs/release.md).
    const chooseVersion = terminal
      ? async (read: VersionMenuRead) => {
          const answer = await askNextVersion(read, {
            input: process.stdin,
            output: io.stderr,
            style,
            heading: `current version ${read.menu.current ?? "(none)"}`,
            comment: "the release commit and tag",
          });
          cancelled = answer === undefined;
          return answer;
        }
      : undefined;
    const onEvent = (event: ReleaseEvent) => {
      if (json) write(io.stdout, jsonLine(event));
      if (event.type === "plan") {
        if (!json) write(io.stderr, `${renderHeadline(event.plan, style, values["dry-run"] === true)}\n`);
        shown.setSteps(releaseSteps(event.plan));
      }
      const rendered = renderStepEvent(event);
      if (rendered === undefined) shown.event(event);
      else
        for (const message of rendered.lines) shown.event({ type: "detail", step: rendered.step, message });
    };
    const stageUpstream = values["stage-upstream"];
    const report = await release({
      cwd: io.cwd,
      env: io.env,
      ...(positionals[0] === undefined ? {} : { project: positionals[0] }),
      ...(bump?.ok ? { bump: bump.value } : {}),
      ...(values.version === undefined ? {} : { version: values.version }),
      ...(values.to === undefined ? {} : { to: values.to }),
      ...(values["check-url"] === undefined ? {} : { checkUrl: values["check-url"] }),
      ...(values["security-notes"] === undefined ? {} : { securityNotes: values["security-notes"] }),
      ...(values.username === undefined ? {} : { username: values.username }),
      ...(password === undefined ? {} : { password }),
      ...(values.pypirc === undefined ? {} : { pypirc: values.pypirc }),
      ...(trustedPublishing === undefined ? {} : { trustedPublishing }),
      ...(attestations === undefined ? {} : { attestations }),
      ...(sigstore === undefined ? {} : { sigstore }),
      ...(mask === undefined ? {} : { maskToken: mask }),
      ...(values.stage === undefined ? {} : { stage: values.stage }),
      ...(stageUpstream === undefined
        ? {}
        : { stageUpstream: stageUpstream === "none" ? null : stageUpstream }),
      ...(values["no-push"] ? { push: false } : {}),
      ...(values.python === undefined ? {} : { python: values.python }),
      pip: {
        ...(values["find-links"] === undefined ? {} : { findLinks: values["find-links"] }),
        ...(values["no-index"] ? { noIndex: true } : {}),
      },
      dryRun: values["dry-run"] === true,
      resume: values.resume === true,
      toolVersion: io.version,
      ...(confirm === undefined ? {} : { confirm }),
      ...(chooseVersion === undefined ? {} : { chooseVersion }),
      onEvent,
    });
    progress.stop();
    if (json) write(io.stdout, reportLine(outcomeJson(report)));
    else write(io.stdout, renderOutcome(report, makeStyle(wantsColor(io.stdout, io.env))));
    const status = report.result?.status;
    return status === "done" || status === "planned" ? 0 : 1;
  } catch (error) {
    progress?.stop();
    if (cancelled) {
      write(io.stdout, "release cancelled: nothing was changed\n");
      return 1;
    }
    return commandFailure("release", error, io, { json });
  }
}
