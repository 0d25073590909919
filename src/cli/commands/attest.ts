/** `slipway attest`: PEP 740 publish attestations for distributions, signed with Sigstore. */
import { SlipwayError } from "../../errors.ts";
import { type AttestEvent, type AttestReport, attest } from "../../ops/attest.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";

export const HELP = `Usage: slipway attest [options] DIST...

Makes a PEP 740 publish attestation for each distribution, as PyPI verifies them: the in-toto
statement (the file's name and sha256, PyPI's publish predicate) DSSE-signed with an ephemeral
key, a Fulcio certificate binding that key to this CI job's identity, and a Rekor entry; written
to <DIST>.publish.attestation, which 'slipway publish' uploads (as does 'twine upload
--attestations' or 'uv publish').

Runs in CI: the identity is the job's OIDC token for the audience "sigstore":
  GitHub Actions   permissions: id-token: write
  GitLab CI        id_tokens: { SIGSTORE_ID_TOKEN: { aud: sigstore } }
  Google Cloud     the service account of the VM or Cloud Run job (metadata server)
  anywhere         SIGSTORE_ID_TOKEN in the environment
One certificate serves the whole run (renewed only when it is about to expire); each file costs
one Rekor entry.

Safe to run again: an existing attestation is verified (its subject is this file, its
certificate names this repository and workflow, it chains to the trust root and is in the log)
and kept; one that does not verify is replaced, and the output says why. Every attestation
written is verified first.

Options:
  --fulcio URL        Fulcio (default https://fulcio.sigstore.dev)
  --rekor URL         Rekor (default https://rekor.sigstore.dev)
  --trust-root FILE   a Sigstore trusted_root.json (required with --fulcio/--rekor; default:
                      Sigstore's public-good root, the one PyPI verifies against)
  --concurrency N     Rekor entries in flight at once (default 4)
  --timeout SECONDS   each request's total deadline (default 30)
  --json              print the outcome as one JSON document
  -h, --help          show this help

Exit status: 0 every file has a valid attestation, 1 signing failed (nothing half-written),
2 usage or configuration error (no OIDC identity, a file that is no distribution).

Examples:
  slipway attest dist/*
  slipway attest dist/*.whl dist/*.tar.gz --json
  slipway attest dist/* --fulcio https://fulcio.internal --rekor https://rekor.internal \\
    --trust-root trusted_root.json

See docs/attestations.md.
`;

export function numberOption(said: string | undefined, flag: string, max: number): number | undefined {
  if (said === undefined) return undefined;
  const n = Number(said);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new SlipwayError("usage", `${flag} '${said}' is not a number in (0, ${max}]`, {
      hint: `e.g. ${flag} 4`,
    });
  return n;
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      fulcio: { type: "string" },
      rekor: { type: "string" },
      "trust-root": { type: "string" },
      concurrency: { type: "string" },
      timeout: { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      out(HELP);
      return 0;
    }
    json = values.json === true;
    const concurrency = numberOption(values.concurrency, "--concurrency", 32);
    const timeout = numberOption(values.timeout, "--timeout", 3600);
    const report = await attest({
      files: positionals,
      env: io.env,
      userAgent: `slipway/${io.version}`,
      ...(values.fulcio === undefined ? {} : { fulcioUrl: values.fulcio }),
      ...(values.rekor === undefined ? {} : { rekorUrl: values.rekor }),
      ...(values["trust-root"] === undefined ? {} : { trustRootFile: values["trust-root"] }),
      ...(concurrency === undefined ? {} : { concurrency: Math.floor(concurrency) }),
      ...(timeout === undefined ? {} : { deadlineMs: Math.round(timeout * 1000) }),
      ...(json ? {} : { onEvent: (event: AttestEvent) => io.stderr.write(redact(eventLine(event))) }),
    });
    out(json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : summary(report));
    return 0;
  } catch (error) {
    return commandFailure("attest", error, io, { json });
  }
}

function eventLine(event: AttestEvent): string {
  switch (event.type) {
    case "signer":
      return `signing as ${event.publisher} (issuer ${event.issuer})\n`;
    case "certificate":
      return `certificate from ${event.fulcio}, valid until ${event.notAfter}\n`;
    case "attested":
      return event.action === "replaced"
        ? `replacing the attestation of ${event.file}: ${event.reason}\n`
        : "";
  }
}

/** The report as JSON: the attestation objects themselves stay in their files. */
export function reportJson(report: AttestReport) {
  return {
    ok: true,
    publisher: report.publisher,
    issuer: report.issuer,
    roundTrips: report.roundTrips,
    files: report.files.map((f) => ({
      file: f.file,
      attestation: f.attestationPath,
      sha256: f.sha256,
      action: f.action,
      ...(f.reason === undefined ? {} : { reason: f.reason }),
    })),
  };
}

function summary(report: AttestReport): string {
  const lines = report.files.map(
    (f) =>
      `${f.action.padEnd(8)} ${f.attestationPath}${f.reason === undefined ? "" : ` (was: ${f.reason})`}\n`,
  );
  const count = (action: string) => report.files.filter((f) => f.action === action).length;
  lines.push(
    `${report.files.length} attested: ${count("created")} created, ${count("reused")} reused, ${count("replaced")} replaced; ${report.roundTrips.fulcio} certificate(s), ${report.roundTrips.rekor} log entries\n`,
  );
  return lines.join("");
}
