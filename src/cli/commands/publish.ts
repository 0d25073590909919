/** `slipway publish [DIST..]`: argv → publish() → progress, one outcome per file, and an exit code. */
import { maxOf } from "../../core/arrays.ts";
import type { UploadOutcome } from "../../core/upload/outcome.ts";
import { SlipwayError } from "../../errors.ts";
import { type PublishEvent, type PublishReport, publish } from "../../ops/publish.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { readPasswordFromStdin } from "../password-stdin.ts";
import { renderCheckOutcome } from "../render/findings.ts";
import { jsonLine, reportLine } from "../render/json-lines.ts";
import { isPlain, makeStyle, type Style, wantsColor } from "../style.ts";
import { PublishProgress, size } from "./publish-progress.ts";

export const HELP = `Usage: slipway publish [DIST...] [options]

Upload wheels and sdists to a package index so that it ends up holding exactly these bytes.
The distribution checks run first and errors refuse the whole batch. Files are grouped by
release, wheels first and the sdist last, and sent a few at a time, streamed from disk. Before
each upload, and again after any failed or unclear one, the index's simple API is read: a file
listed with the same sha256 counts as published, one with a different sha256 is a conflict
(nothing more of that release is sent). Status codes and error texts never decide that. So a
re-run after a failure or in a retried CI job is always safe.

DIST are .whl and .tar.gz files (default: dist/*.whl dist/*.tar.gz).

Options:
  --to NAME|URL        index: a name from [tool.slipway.indexes] in pyproject.toml or from
                       .pypirc, pypi, testpypi, or an upload URL (default: TWINE_REPOSITORY_URL,
                       TWINE_REPOSITORY, else pypi)
  --check-url URL      the index's simple API root to look files up in (built in for PyPI and
                       TestPyPI; else from simple-url in [tool.slipway.indexes.NAME])
  --username U         default: TWINE_USERNAME, .pypirc, else __token__
  --password-stdin     read the password or API token from standard input (else
                       TWINE_PASSWORD or .pypirc); it is never printed
  --pypirc FILE        read this .pypirc instead of ~/.pypirc
  --trusted-publishing auto|always|never
                       trade the CI's OIDC token (GitHub Actions, GitLab CI, Google Cloud)
                       at the index for a short-lived upload token, refreshed before it
                       expires; auto (default): when no password is configured and a
                       provider is found; always: an error when it cannot. See
                       docs/trusted-publishing.md
  --attestations auto|always|never
                       PEP 740 attestations, signed with Sigstore from the job's identity
                       ('slipway attest'), kept when <DIST>.publish.attestation already
                       verifies, uploaded with each file; auto (default): whenever trusted
                       publishing is used (indexes take them only then). See
                       docs/attestations.md
  --fulcio URL, --rekor URL, --trust-root FILE
                       a private Sigstore for the attestations (all three together)
  --concurrency N      files in flight at once (default 6)
  --retries N          re-sends of a file after a transport error, 5xx or 429, with
                       backoff and jitter (default 4; 0: one attempt only)
  --timeout SECONDS    total deadline of one request, however slowly the index keeps
                       answering (default 120); an upload gets SECONDS plus 1 s per 64 KiB
                       of the file. A request past it is not retried.
  --dry-run            resolve, check, prove the credentials and look the files up; send
                       no file
  --python EXE         Python used to render README files in the checks
  --json               NDJSON on stdout: one line per event as the work goes (target,
                       warnings, checks, each file's start, retries and outcome), then
                       one {"type":"report",...} line with every outcome; see docs/json.md
  -v, --verbose        a line per request (method, URL without credentials, status, bytes,
                       time), per retry (reason and wait) and for the credential proof;
                       with --json, these as JSON lines too. Never a credential.
  -h, --help           show this help

Credentials: flags, then TWINE_USERNAME / TWINE_PASSWORD, then the URL's user:password@ or
the .pypirc section of the index, in that order. While the checks run, they are proven with
an upload request the index refuses for its content (no file, no metadata: it can create
nothing); an index that refuses them gets no file at all.

Exit status: 0 every file is on the index with its sha256 (dry run: nothing stands in the
way), 1 a check error, a conflict or a file that could not be published, 2 usage or
configuration error.

Examples:
  slipway publish --dry-run                     what would go to PyPI, sending nothing
  printf '%s' "$PYPI_TOKEN" | slipway publish --password-stdin
  slipway publish --to testpypi dist/*.whl
  slipway publish --to staging                  [tool.slipway.indexes.staging] in pyproject.toml
  slipway publish --to http://127.0.0.1:8080/ --check-url http://127.0.0.1:8080/simple/
  slipway publish --json --concurrency 8        NDJSON events and a report for a CI step
  slipway publish --verbose --to staging        every request, status and timing, to debug an index
  slipway publish --timeout 600 dist/*.whl      a slow index: 10 minutes per request
  slipway publish --trusted-publishing always   in GitHub Actions with id-token: write, no secret
`;

const LABEL: Record<UploadOutcome["status"], string> = {
  uploaded: "uploaded",
  "exists-identical": "already there",
  conflict: "CONFLICT",
  failed: "FAILED",
  "would-upload": "would upload",
  "not-sent": "not sent",
};

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 86_400) {
    throw new SlipwayError(
      "usage",
      `${flag} must be a number of seconds above 0 (at most 86400), not '${value}'`,
    );
  }
  return Math.round(n * 1000);
}

function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new SlipwayError("usage", `${flag} must be a whole number from ${min} to ${max}, not '${value}'`);
  }
  return Number(value);
}

/**
 * Which events `--json` prints: every one but the byte counts of an upload in flight; the
 * requests, lookup and probe retries and the credential proof only with --verbose (as on stderr).
 */
function shownAsJson(event: PublishEvent, verbose: boolean): boolean {
  if (event.type === "file-progress") return false;
  if (event.type === "http" || event.type === "retry" || event.type === "credentials") return verbose;
  return true;
}

function renderOutcomes(report: PublishReport, style: Style): string {
  const lines: string[] = [];
  const width = maxOf(
    report.outcomes.map((o) => LABEL[o.status].length),
    Number.NEGATIVE_INFINITY,
  );
  for (const o of report.outcomes) {
    const good = o.status === "uploaded" || o.status === "exists-identical" || o.status === "would-upload";
    const label = LABEL[o.status].padEnd(width);
    lines.push(
      `${good ? style.green(label) : style.red(label)}  ${o.file}  ${style.dim(`${size(o.size)}  sha256 ${o.sha256.slice(0, 16)}…`)}`,
    );
    if (!good || o.attempts > 1)
      lines.push(`  ${o.message}${o.attempts > 1 ? ` (${o.attempts} attempts)` : ""}`);
    if (!good && o.hint) lines.push(`  ${style.dim(`hint: ${o.hint}`)}`);
  }
  const c = report.summary.counts;
  const parts = [
    c.uploaded && `${c.uploaded} uploaded`,
    c["exists-identical"] && `${c["exists-identical"]} already there`,
    c["would-upload"] && `${c["would-upload"]} would be uploaded`,
    c.conflict && `${c.conflict} in conflict`,
    c.failed && `${c.failed} failed`,
    c["not-sent"] && `${c["not-sent"]} not sent`,
  ].filter((p): p is string => typeof p === "string");
  const verdict = report.ok
    ? style.green(
        report.dryRun ? "dry run: nothing stands in the way" : "every file is on the index with its sha256",
      )
    : style.red("not every file is on the index");
  lines.push("", `${parts.join(", ")}: ${verdict}`);
  return `${lines.join("\n")}\n`;
}

/** `--trusted-publishing`'s value, checked. */
export function trustedMode(value: string | undefined): "auto" | "always" | "never" | undefined {
  if (value === undefined || value === "auto" || value === "always" || value === "never") return value;
  throw new SlipwayError(
    "usage",
    `--trusted-publishing ${value.slice(0, 40)}: expected auto, always or never`,
  );
}

/** `--attestations`' value, checked. */
export function attestationsMode(value: string | undefined): "auto" | "always" | "never" | undefined {
  if (value === undefined || value === "auto" || value === "always" || value === "never") return value;
  throw new SlipwayError("usage", `--attestations ${value.slice(0, 40)}: expected auto, always or never`);
}

/** `--fulcio`, `--rekor` and `--trust-root`: all three, or none. */
export function sigstoreOption(
  fulcioUrl: string | undefined,
  rekorUrl: string | undefined,
  trustRootFile: string | undefined,
): { fulcioUrl: string; rekorUrl: string; trustRootFile: string } | undefined {
  if (fulcioUrl === undefined && rekorUrl === undefined && trustRootFile === undefined) return undefined;
  if (fulcioUrl === undefined || rekorUrl === undefined || trustRootFile === undefined)
    throw new SlipwayError("usage", "--fulcio, --rekor and --trust-root go together", {
      hint: "a private Sigstore is its Fulcio, its Rekor and the trusted_root.json that names both",
    });
  return { fulcioUrl, rekorUrl, trustRootFile };
}

/**
 * In GitHub Actions, a minted token is masked in the job log before anything could print it:
 * `::add-mask::` must reach stdout unredacted, the one place slipway writes a credential.
 */
export function githubMask(io: CommandIO): ((token: { reveal(): string }) => void) | undefined {
  if (io.env.GITHUB_ACTIONS !== "true") return undefined;
  return (token) => {
    io.stdout.write(`::add-mask::${token.reveal()}\n`);
  };
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const write = (stream: NodeJS.WritableStream, text: string) => stream.write(redact(text));
  let progress: PublishProgress | undefined;
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
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
      concurrency: { type: "string" },
      retries: { type: "string" },
      timeout: { type: "string" },
      "dry-run": { type: "boolean" },
      python: { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
    });
    if (values.help) {
      write(io.stdout, HELP);
      return 0;
    }
    json = values.json === true;
    const concurrency = wholeNumber(values.concurrency, "--concurrency", 1, 64);
    const retries = wholeNumber(values.retries, "--retries", 0, 20);
    const timeoutMs = seconds(values.timeout, "--timeout");
    const verbose = values.verbose === true;
    const trustedPublishing = trustedMode(values["trusted-publishing"]);
    const attestations = attestationsMode(values.attestations);
    const sigstore = sigstoreOption(values.fulcio, values.rekor, values["trust-root"]);
    const mask = githubMask(io);
    const password = values["password-stdin"] ? await readPasswordFromStdin("publish") : undefined;
    const style = makeStyle(!json && wantsColor(io.stderr, io.env));
    progress = new PublishProgress({
      stream: io.stderr,
      plain: isPlain(io.stderr, io.env),
      quiet: json,
      verbose,
      style,
    });
    const onEvent = (event: PublishEvent) => {
      progress?.event(event);
      if (json && shownAsJson(event, verbose)) write(io.stdout, jsonLine(event));
    };
    const report = await publish({
      cwd: io.cwd,
      env: io.env,
      dists: positionals,
      ...(values.to === undefined ? {} : { to: values.to }),
      ...(values["check-url"] === undefined ? {} : { checkUrl: values["check-url"] }),
      ...(values.username === undefined ? {} : { username: values.username }),
      ...(password === undefined ? {} : { password }),
      ...(values.pypirc === undefined ? {} : { pypirc: values.pypirc }),
      ...(trustedPublishing === undefined ? {} : { trustedPublishing }),
      ...(attestations === undefined ? {} : { attestations }),
      ...(sigstore === undefined ? {} : { sigstore }),
      ...(mask === undefined ? {} : { maskToken: mask }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(retries === undefined ? {} : { retry: { attempts: retries + 1 } }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(values.python === undefined ? {} : { python: values.python }),
      dryRun: values["dry-run"] === true,
      userAgent: `slipway/${io.version}`,
      onEvent,
    });
    progress.stop();
    if (json) write(io.stdout, reportLine(report));
    else if (!report.check.ok) {
      const files = [...new Set(report.check.findings.map((f) => f.location.file))];
      write(io.stdout, renderCheckOutcome(report.check, files, makeStyle(wantsColor(io.stdout, io.env))));
    } else write(io.stdout, renderOutcomes(report, makeStyle(wantsColor(io.stdout, io.env))));
    if (!report.check.ok) {
      write(
        io.stderr,
        "slipway publish: the checks found errors, so nothing was sent\nhint: fix them and build again; `slipway check dist/` shows the same findings.\n",
      );
    }
    return report.ok ? 0 : 1;
  } catch (error) {
    progress?.stop();
    return commandFailure("publish", error, io, { json });
  }
}
