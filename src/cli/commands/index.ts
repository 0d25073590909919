/** `slipway index serve`: runs the embedded staging index until SIGINT/SIGTERM. */
import { basename, join, resolve } from "node:path";
import { SlipwayError } from "../../errors.ts";
import { redact } from "../../redact.ts";
import type { IndexEvent } from "../../server/events.ts";
import { startIndex } from "../../server/index-server.ts";
import { displayUrl } from "../../server/log-safety.ts";
import { loadTrustedPublishingConfig } from "../../server/oidc/config.ts";
import { prepareIndexToken } from "../../server/token-file.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { renderIndexWarning } from "../render/index-events.ts";
import { jsonLine } from "../render/json-lines.ts";
import { makeStyle, wantsColor } from "../style.ts";

export const HELP = `Usage: slipway index serve [options]

Run the embedded staging index: a PyPI-compatible package index on this machine, backed by a
directory. twine, uv publish and slipway publish upload to its legacy API; pip and uv install
from its simple API (PEP 503 HTML and PEP 691 JSON, with sha256, sizes, requires-python and
PEP 658 metadata). A file name can never be re-uploaded with different bytes (409), and an
identical re-upload is a no-op (200). See docs/index-server.md.

Options:
  --root DIR        directory holding the index (default: .slipway/index)
  --host HOST       address to listen on (default: 127.0.0.1)
  --port N          port to listen on (default: 0, a free port)
  --token-file F    read the upload token from F; without it, a new random token is written
                    to <root>/.slipway-token (mode 0600) at every start
  --upstream URL    simple-API base URL for projects not hosted here, so installs can fetch
                    dependencies (e.g. https://pypi.org/simple/); a project hosted here is
                    never mixed with upstream's files
  --own NAME        answer for project NAME from this index only, even before its first
                    upload: never from upstream (repeatable; slipway release passes the
                    project it releases)
  --trusted-publisher CONFIG
                    play PyPI's part in trusted publishing: serve /_/oidc/audience and
                    /_/oidc/mint-token, exchanging a CI's OIDC token (verified against the
                    issuers and publishers in CONFIG, a TOML or .json file) for an upload
                    token scoped to the publisher's projects (15 minutes by default);
                    uploads with such a token may carry PEP 740 attestations, which are
                    verified (signature, file name and sha256, the publisher's identity) and
                    served at /integrity/<project>/<version>/<file>/provenance
  --attestation-trust-root FILE
                    the Sigstore trusted_root.json attestations are verified against
                    (default: Sigstore's public-good root, as PyPI; give a private
                    Sigstore's root, or a test one)
  --json            one JSON event per line (requests, uploads) instead of log lines
  -h, --help        show this help

Uploads authenticate as the username __token__ with the token as password. Reads are open.
An upload must be what its filename says (the archive's own metadata names the same project
and version), and its body must keep moving (408 after 30 s without a byte). Log lines never
show the token nor query values (other than format=). Temp files of an index killed
mid-upload are removed at the next start. Stop with Ctrl-C (SIGINT) or SIGTERM.

Examples:
  slipway index serve --port 8080
  TWINE_USERNAME=__token__ TWINE_PASSWORD="$(cat .slipway/index/.slipway-token)" \\
    twine upload --repository-url http://127.0.0.1:8080/legacy/ dist/*
  pip install --index-url http://127.0.0.1:8080/simple/ my-package
  uv pip install --index-url http://127.0.0.1:8080/simple/ my-package
  slipway index serve --upstream https://pypi.org/simple/   dependencies come from PyPI
  slipway index serve --upstream https://pypi.org/simple/ --own my-package
  slipway index serve --trusted-publisher trusted-publishers.toml
    where trusted-publishers.toml holds:
      [[issuers]]
      url = "https://token.actions.githubusercontent.com"
      kind = "github"
      jwksUrl = "https://token.actions.githubusercontent.com/.well-known/jwks"
      [[publishers]]
      kind = "github"
      projects = ["my-package"]
      repository = "octo/my-package"
      workflow = "release.yml"
      environment = "pypi"
  slipway index serve --trusted-publisher tp.toml --attestation-trust-root trusted_root.json
  twine upload --attestations --repository-url http://127.0.0.1:8080/legacy/ \\
    dist/*.whl dist/*.whl.publish.attestation      (with a minted token as password)
  curl http://127.0.0.1:8080/integrity/my-package/1.0/my_package-1.0-py3-none-any.whl/provenance
`;

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65535) {
    throw new SlipwayError("usage", `--port '${text}' is not a port number`, {
      hint: "Use 0..65535 (0: a free port).",
    });
  }
  return port;
}

function logLine(event: IndexEvent): string | undefined {
  switch (event.type) {
    case "request":
      return `${event.method} ${event.path} ${event.status} ${event.durationMs} ms`;
    case "upload":
      return `upload ${event.filename}: ${event.outcome} (sha256 ${event.sha256}, ${event.size} bytes)`;
    case "upstream":
      return `upstream ${event.url} ${event.status} ${event.durationMs} ms`;
    case "mint":
      return event.outcome === "minted"
        ? `mint for ${event.subject || "(no sub)"} (${event.issuer}): a token for ${event.projects.join(", ")}`
        : `mint refused for ${event.subject || "(no sub)"}: ${event.code}: ${event.description}`;
    case "attestation":
      return event.outcome === "verified"
        ? `attestations for ${event.filename}: verified (${event.predicateTypes.join(", ")}; ${event.publisher})`
        : `attestations for ${event.filename}: refused: ${event.reason}`;
    case "warning":
      return `warning: ${renderIndexWarning(event)}`;
  }
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const write = (stream: NodeJS.WritableStream, text: string) => stream.write(redact(text));
  try {
    const { values, positionals } = parseCommandLine(argv, {
      root: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      "token-file": { type: "string" },
      upstream: { type: "string" },
      own: { type: "string", multiple: true },
      "trusted-publisher": { type: "string" },
      "attestation-trust-root": { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      write(io.stdout, HELP);
      return 0;
    }
    if (positionals[0] !== "serve" || positionals.length > 1) {
      const got = positionals.length === 0 ? "no subcommand" : `'${positionals.join(" ")}'`;
      throw new SlipwayError("usage", `slipway index takes the subcommand 'serve', not ${got}`, {
        hint: "Run 'slipway index serve', or 'slipway index --help'.",
      });
    }
    const root = resolve(io.cwd, values.root ?? join(".slipway", "index"));
    const port = parsePort(values.port);
    const tpPath = values["trusted-publisher"];
    const trustedPublishing =
      tpPath === undefined ? undefined : await loadTrustedPublishingConfig(resolve(io.cwd, tpPath));
    const trustPath = values["attestation-trust-root"];
    const trustFile = trustPath === undefined ? undefined : resolve(io.cwd, trustPath);
    // Uploaders read verification failures: they name the root's file, never this machine's path.
    const attestationTrustRoot =
      trustFile === undefined
        ? undefined
        : {
            // Sigstore's verifier loads only for an index given a trust root (else on first use).
            ...(await (await import("../../ops/attest.ts")).loadTrustRoot(trustFile)),
            source: `the index's trust root ${basename(trustFile)}`,
          };
    const { token, where } = await prepareIndexToken(root, values["token-file"]);
    const style = makeStyle(!values.json && wantsColor(io.stdout, io.env));
    const onEvent = (event: IndexEvent) => {
      if (values.json) {
        write(io.stdout, jsonLine(event));
        return;
      }
      const line = logLine(event);
      if (line === undefined) return;
      if (event.type === "warning") write(io.stderr, `${style.yellow(line)}\n`);
      else
        write(io.stdout, `${event.type === "request" && event.status >= 400 ? style.yellow(line) : line}\n`);
    };
    const index = await startIndex({
      root,
      port,
      token,
      onEvent,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values.upstream === undefined ? {} : { upstream: values.upstream }),
      ...(values.own === undefined ? {} : { ownProjects: values.own }),
      ...(trustedPublishing === undefined ? {} : { trustedPublishing }),
      ...(attestationTrustRoot === undefined ? {} : { attestationTrustRoot }),
    });
    const lines = [
      `slipway index: serving ${root}`,
      `  upload URL  ${index.uploadUrl}  (username __token__)`,
      `  simple URL  ${index.simpleUrl}`,
      `  token       ${where}`,
      ...(values.upstream === undefined
        ? []
        : [`  upstream    ${displayUrl(values.upstream)} for projects not hosted here`]),
      ...(values.own === undefined ? [] : [`  own         ${values.own.join(", ")} (never from upstream)`]),
      ...(trustedPublishing === undefined
        ? []
        : [
            `  trusted publishing  ${index.url}_/oidc/mint-token (audience '${trustedPublishing.audience}', ${trustedPublishing.publishers.length} publisher(s))`,
            `  attestations        verified against ${attestationTrustRoot?.source ?? "Sigstore's public-good trust root"}`,
          ]),
      "Stop with Ctrl-C.",
    ];
    if (values.json) {
      const ready = {
        type: "listening",
        url: index.url,
        uploadUrl: index.uploadUrl,
        simpleUrl: index.simpleUrl,
        root,
      };
      write(io.stdout, `${JSON.stringify(ready)}\n`);
    } else {
      write(io.stdout, `${style.bold(lines[0] ?? "")}\n${lines.slice(1).join("\n")}\n`);
    }
    const signal = await new Promise<string>((resolveSignal) => {
      const stop = (name: string) => () => resolveSignal(name);
      process.once("SIGINT", stop("SIGINT"));
      process.once("SIGTERM", stop("SIGTERM"));
    });
    if (!values.json) write(io.stderr, `slipway index: ${signal}, stopping\n`);
    await index.close();
    return 0;
  } catch (error) {
    return commandFailure("index", error, io);
  }
}
