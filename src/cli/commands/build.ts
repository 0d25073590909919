/** `slipway build [PATH]`: argv → build() → progress, the artifacts, and an exit code. */
import { join, relative, resolve } from "node:path";
import { describeBackend, MANIFEST_FILE, SUMS_FILE } from "../../core/build/output.ts";
import { SlipwayError } from "../../errors.ts";
import { type BuildEvent, type BuildReport, build } from "../../ops/build.ts";
import { type ConfigSettings, formatArgv, HookError } from "../../ops/build-backend.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { renderCheckOutcome } from "../render/findings.ts";
import { jsonLine, reportLine } from "../render/json-lines.ts";
import { isPlain, makeStyle, type Style, wantsColor } from "../style.ts";
import { Progress } from "./build-progress.ts";

export const HELP = `Usage: slipway build [PATH] [options]

Build the sdist and the wheel of the Python project at PATH (default: here) through its own
PEP 517 backend, the wheel from the unpacked sdist (as python -m build does, which proves the
sdist is complete). Build requirements go into a virtualenv that is cached per requirement set,
so the next build starts at once. Builds are reproducible: SOURCE_DATE_EPOCH is the last
commit's time unless set. Finished artifacts move into the output directory only when the whole
build and its check succeeded, with two hidden files beside them: .SHA256SUMS (check it with
cd dist && sha256sum -c .SHA256SUMS) and the manifest .slipway-build.json. Hidden, so dist/*
holds only distributions: twine upload dist/* and slipway check dist/* take every file given.

pip installs build requirements isolated from your pip configuration: no pip.conf (global, user
or site) and no PIP_* variable is read, only --index-url, --find-links and --no-index (proxies
and CA bundles still come from HTTPS_PROXY and REQUESTS_CA_BUNDLE).

Options:
  --sdist                    build only the sdist
  --wheel                    build only the wheel (from the source tree)
  --out DIR                  output directory (default: PATH/dist)
  --clean                    remove the distributions already in the output directory first
                             (and slipway's files, also a SHA256SUMS an earlier slipway wrote)
  --python EXE               interpreter to build with (default: first Python >= 3.9 on PATH)
  --no-isolation             build with that interpreter as it is (requirements are checked)
  --index-url URL            index pip installs build requirements from (default: PyPI)
  --find-links DIR|URL       extra place to find them; repeatable
  --no-index                 use only --find-links
  -C, --config-setting K=V   passed to the backend; repeatable (a key given twice is a list)
  --source-date-epoch N      timestamp for the artifacts (default: SOURCE_DATE_EPOCH, else
                             the last commit's time)
  --verify-reproducible      build twice and report every member that differs
  --require-clean            refuse to build a git tree with uncommitted changes
  --no-check                 do not run slipway check on the result
  --verbose                  show the backend's output as it runs (else only on failure)
  --json                     NDJSON on stdout: one line per event as the work goes (each
                             phase, environment and warning; the backend's output only with
                             --verbose), then one {"type":"report",...} line with the
                             artifacts, the manifest and the check; see docs/json.md
  -h, --help                 show this help

Exit status: 0 built, 1 the build, its check or the reproducibility check failed, 2 usage or
configuration error (bad pyproject.toml, unknown option).

Examples:
  slipway build                              sdist + wheel of the project here, into dist/
  slipway build path/to/project --out /tmp/out
  slipway build --wheel --no-isolation       quick wheel with the current environment
  slipway build --find-links ./wheels --no-index   offline, backends from a wheelhouse
  slipway build -C editable-mode=strict      a config setting for the backend
  slipway build --verify-reproducible        prove two builds give the same bytes
  cd dist && sha256sum -c .SHA256SUMS        verify the artifacts against the checksums
`;

/** Lines of backend output shown when it fails. */
const TAIL = 25;

function parseSettings(values: string[] | undefined): ConfigSettings {
  const settings: ConfigSettings = {};
  for (const item of values ?? []) {
    const at = item.indexOf("=");
    if (at <= 0) {
      throw new SlipwayError("usage", `--config-setting '${item}' is not KEY=VALUE`, {
        hint: "Write it as -C key=value (the value may be empty: -C key=).",
      });
    }
    const key = item.slice(0, at);
    const value = item.slice(at + 1);
    const had = settings[key];
    settings[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return settings;
}

/** A path as a shell reads it, for a command the user may paste. */
const shellWord = (path: string) => formatArgv([path]);

const kib = (n: number) =>
  n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;

function renderDone(report: BuildReport, cwd: string, style: Style): string {
  const lines: string[] = [];
  for (const a of report.artifacts) {
    lines.push(
      `  ${style.bold(relative(cwd, a.path) || a.path)}  ${kib(a.size)}  sha256 ${a.sha256.slice(0, 16)}…`,
    );
  }
  const t = report.manifest.timings;
  const env = report.manifest.isolation ? "isolated" : "no isolation";
  const out = relative(cwd, report.outDir) || ".";
  lines.push(
    `${style.green("built")} ${report.artifacts.length} artifact${report.artifacts.length === 1 ? "" : "s"} in ${((t["total"] ?? 0) / 1000).toFixed(1)} s (${describeBackend(report.manifest.backend)}, Python ${report.manifest.python.version}, ${env})`,
    `checksums: cd ${shellWord(out)} && sha256sum -c ${SUMS_FILE}; manifest: ${join(out, MANIFEST_FILE)}`,
  );
  if (report.reproducible?.identical)
    lines.push(`${style.green("reproducible")}: a second build gave the same bytes`);
  return `${lines.join("\n")}\n`;
}

/** Which events `--json` prints: all but the backend's output, which only --verbose shows (as on stderr). */
function shownAsJson(event: BuildEvent, verbose: boolean): boolean {
  return event.type !== "output" || verbose;
}

/**
 * The last `--json` line of a failed backend hook: the error line (docs/json.md), with the
 * command to reproduce it and the tail of the backend's output.
 */
function hookErrorLine(error: HookError): object {
  return {
    type: "error",
    code: error.code,
    message: error.message,
    hint: error.hint,
    exit: 1,
    kind: error.kind,
    command: error.command,
    output: error.output.slice(-TAIL),
  };
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const write = (stream: NodeJS.WritableStream, text: string) => stream.write(redact(text));
  const style = makeStyle(wantsColor(io.stderr, io.env));
  let progress: Progress | undefined;
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      sdist: { type: "boolean" },
      wheel: { type: "boolean" },
      out: { type: "string" },
      clean: { type: "boolean" },
      python: { type: "string" },
      "no-isolation": { type: "boolean" },
      "index-url": { type: "string" },
      "find-links": { type: "string", multiple: true },
      "no-index": { type: "boolean" },
      "config-setting": { type: "string", short: "C", multiple: true },
      "source-date-epoch": { type: "string" },
      "verify-reproducible": { type: "boolean" },
      "require-clean": { type: "boolean" },
      "no-check": { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
      json: { type: "boolean" },
    });
    if (values.help) {
      write(io.stdout, HELP);
      return 0;
    }
    if (positionals.length > 1) {
      throw new SlipwayError("usage", `one project directory at most, got ${positionals.length}`, {
        hint: "slipway build [PATH]; build other projects in separate runs.",
      });
    }
    const epochText = values["source-date-epoch"];
    if (epochText !== undefined && !/^\d+$/.test(epochText)) {
      throw new SlipwayError("usage", `--source-date-epoch must be whole seconds, got '${epochText}'`, {
        hint: "For example --source-date-epoch $(git log -1 --format=%ct).",
      });
    }
    json = values.json === true;
    progress = new Progress({
      stream: io.stderr,
      plain: isPlain(io.stderr, io.env),
      quiet: values.json === true,
      verbose: values.verbose === true,
      style,
    });
    const onEvent = (event: BuildEvent) => {
      if (json && shownAsJson(event, values.verbose === true)) write(io.stdout, jsonLine(event));
      progress?.event(event);
    };
    const report = await build({
      cwd: io.cwd,
      env: io.env,
      project: resolve(io.cwd, positionals[0] ?? "."),
      ...(values.sdist ? { sdist: true } : {}),
      ...(values.wheel ? { wheel: true } : {}),
      ...(values.out === undefined ? {} : { outDir: values.out }),
      ...(values.python === undefined ? {} : { python: values.python }),
      isolation: values["no-isolation"] !== true,
      pip: {
        ...(values["index-url"] === undefined ? {} : { indexUrl: values["index-url"] }),
        ...(values["find-links"] === undefined ? {} : { findLinks: values["find-links"] }),
        ...(values["no-index"] ? { noIndex: true } : {}),
      },
      configSettings: parseSettings(values["config-setting"]),
      ...(epochText === undefined ? {} : { sourceDateEpoch: Number(epochText) }),
      clean: values.clean === true,
      requireClean: values["require-clean"] === true,
      check: values["no-check"] !== true,
      verifyReproducible: values["verify-reproducible"] === true,
      toolVersion: io.version,
      onEvent,
    });
    progress.stop();
    if (json) {
      write(io.stdout, reportLine(report));
      return report.ok ? 0 : 1;
    }
    if (report.check !== undefined && (report.check.errors > 0 || report.check.warnings > 0)) {
      const files = report.artifacts.map((a) => relative(io.cwd, a.path));
      write(io.stdout, renderCheckOutcome(report.check, files, makeStyle(wantsColor(io.stdout, io.env))));
    }
    if (report.reproducible !== undefined && !report.reproducible.identical) {
      const lines = report.reproducible.artifacts
        .filter((a) => !a.identical)
        .flatMap((a) => [
          `${style.red("not reproducible")}: ${a.filename} (sha256 ${a.sha256[0].slice(0, 12)}… vs ${a.sha256[1].slice(0, 12)}…)`,
          ...a.differences.map((d) => `  ${d}`),
        ]);
      write(io.stderr, `${lines.join("\n")}\n`);
    }
    if (!report.ok) {
      write(
        io.stderr,
        `slipway build: nothing was written to ${relative(io.cwd, report.outDir) || "."}\nhint: ${report.check !== undefined && !report.check.ok ? "fix the errors above, or pass --no-check to build anyway" : "make the build reproducible (SOURCE_DATE_EPOCH, no timestamps or random values in generated files)"}\n`,
      );
      return 1;
    }
    write(io.stdout, renderDone(report, io.cwd, style));
    return 0;
  } catch (error) {
    progress?.stop();
    if (error instanceof HookError) {
      const tail = error.output.slice(-TAIL);
      if (tail.length > 0 && !progress?.verbose) {
        write(
          io.stderr,
          `${style.dim(`--- last ${tail.length} lines of the backend's output ---`)}\n${tail.join("\n")}\n${style.dim("---")}\n`,
        );
      }
      write(io.stderr, `slipway build: ${error.message}\nreproduce: ${error.command}\nhint: ${error.hint}\n`);
      if (json) write(io.stdout, jsonLine(hookErrorLine(error)));
      return 1;
    }
    return commandFailure("build", error, io, { json });
  }
}
