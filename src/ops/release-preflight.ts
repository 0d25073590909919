/**
 * The checks `slipway release` makes before it changes anything, each returning problems rather
 * than throwing, so the runner reports all of them together: the git state (clean tree, release
 * branch, up to date with the remote, tag free), the declared environment, the gate commands,
 * and the target (credentials, version not already there).
 */

import { exec, formatArgv } from "../adapters/exec.ts";
import {
  commitIdentityProblem,
  countCommits,
  currentBranch,
  type GitContext,
  hasCommit,
  headCommit,
  isAncestor,
  lsRemote,
  readGitState,
  remoteUrl,
  tagCommit,
} from "../adapters/git.ts";
import { pushAll } from "../core/arrays.ts";
import { parseSdistFilename, parseWheelFilename } from "../core/names/filename.ts";
import { normalizeName } from "../core/names/name.ts";
import { canonicalizeVersion } from "../core/pep440/version.ts";
import type { ReleasePlan } from "../core/release/plan.ts";
import type { Credentials } from "../core/upload/credentials.ts";
import { SlipwayError } from "../errors.ts";
import type { StepProblem } from "../pipeline/steps.ts";
import { redact } from "../redact.ts";
import { type HttpSettings, type HttpSettingsInput, httpSettings } from "./publish-http.ts";
import { Lookups } from "./publish-lookup.ts";
import { type CredentialProof, proveCredentials } from "./publish-probe.ts";
import { proveTrustedPublishing, type TrustedPublishingOptions } from "./publish-trusted.ts";
import { sigstoreIdentityToken } from "./sigstore-identity.ts";

const error = (id: string, message: string, hint: string): StepProblem => ({
  id,
  severity: "error",
  message,
  hint,
});
const warning = (id: string, message: string, hint: string): StepProblem => ({
  id,
  severity: "warning",
  message,
  hint,
});

export interface GitPreflightInput {
  git: GitContext;
  plan: ReleasePlan;
  /** The branch the project releases from, when configured. */
  configuredBranch: string | undefined;
  /** Resuming: the plan's own edits may already be in the tree. */
  resume: boolean;
}

/** Clean tree, release branch, identity, remote up to date, tag free here and there. */
export async function gitPreflight(input: GitPreflightInput): Promise<StepProblem[]> {
  const { git, plan } = input;
  const problems: StepProblem[] = [];
  const state = await readGitState(git);
  if (state === undefined) {
    return [
      error("git-repo", `${git.dir} is not in a git work tree`, "release from a git clone of the project"),
    ];
  }
  const head = await headCommit(git);
  if (head === undefined) {
    return [error("git-commits", "the repository has no commits yet", "commit the project first")];
  }
  const planned = new Set(plan.edits.map((e) => e.path));
  const changes = state.changes.filter((line) => !(input.resume && planned.has(line.slice(3).trim())));
  if (changes.length > 0) {
    const shown = changes
      .slice(0, 5)
      .map((l) => l.trim())
      .join(", ");
    const more = changes.length > 5 ? ` and ${changes.length - 5} more` : "";
    problems.push(
      error(
        "git-clean",
        `the work tree has ${changes.length} uncommitted change${changes.length === 1 ? "" : "s"}: ${shown}${more}`,
        "commit or stash them (untracked files too: they can end up in the sdist), then run again",
      ),
    );
  }
  const branch = await currentBranch(git);
  if (branch === undefined) {
    problems.push(error("git-branch", "HEAD is detached", `check out ${plan.git.branch} and run again`));
  } else if (branch !== plan.git.branch) {
    problems.push(
      error(
        "git-branch",
        `releases are made from ${plan.git.branch}, but ${branch} is checked out`,
        input.configuredBranch === undefined
          ? `check out ${plan.git.branch}, or set branch = "${branch}" in [tool.slipway.release]`
          : `check out ${plan.git.branch}`,
      ),
    );
  }
  const identity = await commitIdentityProblem(git);
  if (identity !== undefined) {
    problems.push(
      error(
        "git-identity",
        `git cannot make the release commit: ${identity}`,
        "set user.name and user.email",
      ),
    );
  }
  if (!input.resume && (await tagCommit(git, plan.tag.name)) !== undefined) {
    problems.push(
      error(
        "git-tag",
        `the tag ${plan.tag.name} exists already`,
        "pick another version, or delete the stale tag",
      ),
    );
  }
  if (plan.git.push) pushAll(problems, await remotePreflight(input, head));
  return problems;
}

async function remotePreflight(input: GitPreflightInput, head: string): Promise<StepProblem[]> {
  const { git, plan } = input;
  const { remote, branch } = plan.git;
  if ((await remoteUrl(git, remote)) === undefined) {
    return [
      error(
        "git-remote",
        `there is no git remote "${remote}" to push the release to`,
        `add it (git remote add ${remote} URL), set remote in [tool.slipway.release], or pass --no-push`,
      ),
    ];
  }
  let refs: Map<string, string>;
  try {
    refs = await lsRemote(git, remote, [`refs/heads/${branch}`, `refs/tags/${plan.tag.name}`]);
  } catch (e) {
    return [
      error(
        "git-remote",
        `cannot read the remote "${remote}": ${redact((e as Error).message.split("\n")[0] ?? "")}`,
        "check the network and your git credentials; slipway must see the remote before it releases",
      ),
    ];
  }
  const problems: StepProblem[] = [];
  if (!input.resume && refs.has(`refs/tags/${plan.tag.name}`)) {
    problems.push(
      error("git-tag", `the tag ${plan.tag.name} exists on ${remote} already`, "pick another version"),
    );
  }
  const remoteHead = refs.get(`refs/heads/${branch}`);
  if (remoteHead === undefined) {
    problems.push(
      warning("git-upstream", `${remote} has no branch ${branch}: the push will create it`, "nothing to do"),
    );
  } else if (remoteHead !== head) {
    if (!(await hasCommit(git, remoteHead)) || !(await isAncestor(git, remoteHead, head))) {
      problems.push(
        error(
          "git-upstream",
          `${branch} is behind ${remote}/${branch} (or has diverged from it)`,
          `git pull ${remote} ${branch}, check the result, and run again`,
        ),
      );
    } else {
      const ahead = await countCommits(git, remoteHead, head);
      problems.push(
        warning(
          "git-upstream",
          `${branch} is ${ahead} commit${ahead === 1 ? "" : "s"} ahead of ${remote}/${branch}; the push publishes them with the release`,
          "push them first if they should not ride along",
        ),
      );
    }
  }
  return problems;
}

/** Every variable `[tool.slipway.release] env` declares must be set and non-empty. */
export function envPreflight(
  names: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StepProblem[] {
  return names
    .filter((name) => (env[name] ?? "") === "")
    .map((name) =>
      error(
        "env",
        `the environment variable ${name} is not set ([tool.slipway.release] env requires it)`,
        `set ${name} (e.g. export ${name}=… or a CI secret), then run again`,
      ),
    );
}

/** How much of a failed gate's output its problem shows: the last lines, each cut short. */
const GATE_TAIL_LINES = 20;
const GATE_TAIL_LINE_CHARS = 240;

// CSI and OSC escape sequences (colours, cursor moves, titles), then any other control character
// but the tab: a gate's output is the project's, and it is printed to the user's terminal.
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * One line of a gate's output as its problem shows it: what a terminal would have left of it
 * (the text after its last carriage return, as progress bars redraw), without escape sequences
 * or control characters, at most GATE_TAIL_LINE_CHARS characters. A longer line is cut at the
 * end of a word: a word cut short could be the start of a token, too short to be recognised and
 * redacted (redact.ts), so it is left out.
 */
export function gateOutputLine(line: string): string {
  const drawn = line.slice(line.lastIndexOf("\r", line.length - 2) + 1);
  // Escapes and controls are removed from a bounded slice only: linear in what is shown.
  const long = drawn.length > 4 * GATE_TAIL_LINE_CHARS;
  const text = (long ? drawn.slice(0, 4 * GATE_TAIL_LINE_CHARS) : drawn)
    .replace(ESCAPES, "")
    .replace(CONTROLS, "")
    .trimEnd();
  if (!long && text.length <= GATE_TAIL_LINE_CHARS) return text;
  let end = Math.min(text.length, GATE_TAIL_LINE_CHARS);
  while (end > 0 && !/\s/.test(text[end - 1] ?? "")) end--;
  return `${text.slice(0, end).trimEnd()}…`;
}

/**
 * The last lines of a process's output, stdout and stderr in the order they arrived (what the
 * user would have seen last), with runs of blank lines kept as one and trailing ones dropped.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private blank = false;

  push(raw: string): void {
    const line = gateOutputLine(raw);
    if (line.trim() === "") {
      this.blank = this.lines.length > 0;
      return;
    }
    if (this.blank) this.lines.push("");
    this.blank = false;
    this.lines.push(line);
    while (this.lines.length > GATE_TAIL_LINES) this.lines.shift();
  }

  text(): string {
    return (this.lines[0] === "" ? this.lines.slice(1) : this.lines).join("\n");
  }
}

/**
 * Runs each gate command in the project, one after the other (all of them: the problems are
 * reported together); a non-zero exit is a problem showing the last lines of its output.
 */
export async function gatePreflight(
  gates: readonly string[][],
  options: {
    cwd: string;
    env: Readonly<Record<string, string | undefined>>;
    onGate?: (argv: string[]) => void;
    /** Per gate; default 30 minutes (a test suite may be slow, but never hangs the release). */
    timeoutMs?: number;
  },
): Promise<StepProblem[]> {
  const problems: StepProblem[] = [];
  for (const argv of gates) {
    options.onGate?.(argv);
    // A command line may hold a token too (`sh -c "… $TOKEN"` expanded by hand): masked as well.
    const command = redact(formatArgv(argv));
    const tail = new OutputTail();
    let code: number;
    try {
      const push = (line: string) => tail.push(line);
      ({ code } = await exec(argv, {
        cwd: options.cwd,
        env: options.env,
        check: false,
        timeoutMs: options.timeoutMs ?? 30 * 60_000,
        onStdoutLine: push,
        onStderrLine: push,
        // A suite may print without bound (a runaway log, a flood of warnings): only the tail
        // is kept, in bounded memory.
        collect: false,
        maxLineBytes: 16 * GATE_TAIL_LINE_CHARS,
      }));
    } catch (e) {
      // Not found, or timed out: what it printed until then says where it hung.
      const shown = tail.text();
      problems.push(
        error(
          "gate",
          `gate \`${command}\` could not run: ${(e as Error).message}${shown === "" ? "" : `; its output's end:\n${redact(shown)}`}`,
          "fix the command in [tool.slipway.release] gates",
        ),
      );
      continue;
    }
    if (code !== 0) {
      const shown = tail.text();
      problems.push(
        error(
          "gate",
          `gate \`${command}\` failed (exit ${code})${shown === "" ? ", printing nothing" : `:\n${redact(shown)}`}`,
          `run \`${command}\` in the project, fix what it reports, and run again`,
        ),
      );
    }
  }
  return problems;
}

/** Which of the index's files belong to `version` of `name`. */
function filesOfVersion(filenames: readonly string[], name: string, version: string): string[] {
  const key = normalizeName(name);
  const canonical = canonicalizeVersion(version);
  return filenames.filter((filename) => {
    const parsed = filename.endsWith(".whl") ? parseWheelFilename(filename) : parseSdistFilename(filename);
    if (!parsed.ok) return false;
    return (
      normalizeName(parsed.value.name) === key && canonicalizeVersion(parsed.value.version) === canonical
    );
  });
}

export interface TargetPreflightInput {
  plan: Pick<ReleasePlan, "name" | "version" | "target">;
  credentials: Credentials;
  /** No password, but `publish` mints one by trusted publishing: its absence is no problem. */
  trustedPublishing?: boolean;
  /**
   * With `trustedPublishing`: the options `publish` will use, to prove the mint (and the
   * Sigstore identity, unless attestations are off) before anything changes.
   */
  trusted?: TrustedPublishingOptions & {
    env: Readonly<Record<string, string | undefined>>;
    attestations?: string;
  };
  userAgent: string;
  /** Resuming: files of this version on the target may be this run's own uploads. */
  resume: boolean;
  /** Retries, deadlines and clock, as `publish` takes them (tests shorten them). */
  http?: HttpSettingsInput;
}

const PASSWORD_FROM: Record<string, string> = {
  flag: "--password-stdin",
  env: "TWINE_PASSWORD",
  url: "the URL's user:password@",
  pypirc: ".pypirc",
};

/** The preflight problem a probe's answer makes, if any (pure). */
export function credentialProblem(
  proof: CredentialProof,
  where: string,
  credentials: Credentials,
): StepProblem | undefined {
  const from = PASSWORD_FROM[credentials.passwordFrom ?? ""];
  const who = `user ${credentials.username}${from === undefined ? "" : `, password from ${from}`}`;
  if (proof.verdict === "accepted") return undefined;
  if (proof.verdict === "refused") {
    return error(
      "credentials",
      `${where} refused the credentials (${who}): ${proof.message}`,
      proof.hint ?? "check the token and the username (__token__ for an API token), then run again",
    );
  }
  const status = proof.status ?? 0;
  // A URL that redirects or takes no uploads at all fails every upload: no use building first.
  if ((status >= 300 && status < 400) || status === 404 || status === 405 || status === 410) {
    return error(
      "target-url",
      `${proof.url} does not take uploads: ${proof.message}`,
      proof.hint ?? "check --to: it must be the index's upload URL",
    );
  }
  return warning(
    "credentials",
    `could not prove that ${where} takes the credentials (${who}): ${proof.message}`,
    `${proof.hint === undefined ? "" : `${proof.hint} `}The release goes on; should the index refuse every file, the commit and tag are undone: nothing is published.`,
  );
}

/** Trusted publishing and the attestations' identity, proven as the publish step will need them. */
async function trustedProblems(
  trusted: NonNullable<TargetPreflightInput["trusted"]>,
  uploadUrl: string,
  userAgent: string,
  where: string,
): Promise<StepProblem[]> {
  const oidcHttp = { userAgent, deadlineMs: 30_000 };
  const problems: StepProblem[] = [];
  try {
    await proveTrustedPublishing(trusted, uploadUrl, oidcHttp);
  } catch (cause) {
    if (!(cause instanceof SlipwayError)) throw cause;
    problems.push(
      error("trusted-publishing", `trusted publishing to ${where}: ${cause.message}`, cause.hint ?? ""),
    );
    return problems;
  }
  if (trusted.attestations !== "never") {
    try {
      await sigstoreIdentityToken(trusted.env, trusted.oidcProvider, oidcHttp);
    } catch (cause) {
      if (!(cause instanceof SlipwayError)) throw cause;
      problems.push(
        error("attestations", cause.message, `${cause.hint ?? ""} (or --attestations never)`.trim()),
      );
    }
  }
  return problems;
}

/**
 * Credentials the target takes (an upload probe it refuses only for its content, see
 * probeUploadCredentials), and the version not on it yet (PyPI never lets a file name be
 * reused). The target is read exactly as `publish` reads it: credentials, retries, deadlines.
 */
export async function targetPreflight(input: TargetPreflightInput): Promise<StepProblem[]> {
  const { plan, credentials } = input;
  const where = plan.target.name ?? plan.target.uploadUrl;
  const http = httpSettings({ userAgent: input.userAgent, ...input.http });
  const problems: StepProblem[] = [];
  const proving =
    credentials.password === undefined
      ? undefined
      : proveCredentials(plan.target.uploadUrl, credentials, http);
  if (credentials.password === undefined && input.trustedPublishing !== true) {
    problems.push(
      error(
        "credentials",
        `no password or token for ${where}`,
        "set TWINE_PASSWORD (with TWINE_USERNAME=__token__ for an API token), or add it to .pypirc",
      ),
    );
  }
  const versionProblem = input.resume ? undefined : targetVersionProblem(input, http, where);
  if (input.trustedPublishing === true && input.trusted !== undefined) {
    for (const problem of await trustedProblems(input.trusted, plan.target.uploadUrl, http.userAgent, where))
      problems.push(problem);
  }
  const proof = await proving;
  const refusal = proof === undefined ? undefined : credentialProblem(proof, where, credentials);
  if (refusal !== undefined) problems.push(refusal);
  const taken = await versionProblem;
  if (taken !== undefined) problems.push(taken);
  return problems;
}

async function targetVersionProblem(
  input: TargetPreflightInput,
  http: HttpSettings,
  where: string,
): Promise<StepProblem | undefined> {
  const { plan } = input;
  const lookups = new Lookups({
    simpleUrl: plan.target.simpleUrl,
    uploadUrl: plan.target.uploadUrl,
    credentials: input.credentials,
    http,
  });
  try {
    const lookup = await lookups.fresh(plan.name);
    const taken = filesOfVersion(
      lookup.listing.files.map((f) => f.filename),
      plan.name,
      plan.version,
    );
    if (taken.length === 0) return undefined;
    return error(
      "target-version",
      `${plan.name} ${plan.version} is already on ${where} (${taken.join(", ")})`,
      "release the next version; an index never takes a file name twice",
    );
  } catch (e) {
    return error(
      "target-lookup",
      `cannot read ${plan.target.simpleUrl} to see whether ${plan.version} is there: ${(e as Error).message}`,
      "check the URL, the network and the credentials (or pass --check-url with the index's simple root)",
    );
  }
}
