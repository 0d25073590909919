/** `slipway verify-attestations`: PEP 740 attestations of local files or of a release on an index, verified. */
import { SlipwayError } from "../../errors.ts";
import { type ExpectedPublisher, verifyAttestations } from "../../ops/verify-attestations.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { numberOption } from "./attest.ts";

export const HELP = `Usage: slipway verify-attestations (DIST... | NAME==VERSION --index URL) --repository OWNER/REPO [options]

Verifies PEP 740 attestations the way PyPI and 'pypi-attestations verify' do: each Sigstore
signature against the trust root (certificate chain, embedded SCT, transparency-log inclusion
and signed entry timestamp), the statement's subject against the file (name and sha256), and
the certificate's identity against the publisher you expect: the repository, and the workflow
that must have signed.

  DIST...          local files, each with <DIST>.publish.attestation beside it (--workflow needed)
  NAME==VERSION    every file of that release on the index (--index), with the provenance its
                   integrity API serves; each file's sha256 is the one the index lists (what pip
                   checks the download against). Without --workflow, the workflow the provenance
                   names is checked, in --repository.

Options:
  --index URL          the simple API root (e.g. https://pypi.org/simple/)
  --repository REPO    the expected repository: OWNER/REPO on GitHub, the project path on GitLab
  --workflow FILE      the workflow file (GitHub: its name in .github/workflows/; GitLab: the CI
                       file path, e.g. .gitlab-ci.yml)
  --gitlab             the publisher is on GitLab (default: GitHub)
  --issuer URL         the OIDC issuer, when not GitHub's or GitLab's usual one
  --trust-root FILE    a Sigstore trusted_root.json (default: Sigstore's public-good root)
  --timeout SECONDS    each request's total deadline (default 30)
  --json               print the verdicts as one JSON document
  -h, --help           show this help

Exit status: 0 every file verified, 1 a file has no attestation or one that does not verify,
2 usage or configuration error.

Examples:
  slipway verify-attestations dist/* --repository octo/demo --workflow release.yml
  slipway verify-attestations sampleproject==4.0.0 --index https://pypi.org/simple/ --repository pypa/sampleproject
  slipway verify-attestations mypkg==1.2.0 --index https://pypi.org/simple/ --gitlab --repository group/mypkg

See docs/attestations.md.
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const out = (text: string) => io.stdout.write(redact(text));
  let json = false;
  try {
    const { values, positionals } = parseCommandLine(argv, {
      index: { type: "string" },
      repository: { type: "string" },
      workflow: { type: "string" },
      gitlab: { type: "boolean" },
      issuer: { type: "string" },
      "trust-root": { type: "string" },
      timeout: { type: "string" },
      json: { type: "boolean" },
    });
    if (values.help) {
      out(HELP);
      return 0;
    }
    json = values.json === true;
    if (values.repository === undefined)
      throw new SlipwayError("usage", "--repository is required: whose attestations are expected", {
        hint: "e.g. --repository octo/demo",
      });
    const timeout = numberOption(values.timeout, "--timeout", 3600);
    const expected: ExpectedPublisher = {
      kind: values.gitlab ? "GitLab" : "GitHub",
      repository: values.repository,
      ...(values.workflow === undefined ? {} : { workflow: values.workflow }),
      ...(values.issuer === undefined ? {} : { issuer: values.issuer }),
    };
    const report = await verifyAttestations({
      targets: positionals,
      expected,
      userAgent: `slipway/${io.version}`,
      ...(values.index === undefined ? {} : { index: values.index }),
      ...(values["trust-root"] === undefined ? {} : { trustRootFile: values["trust-root"] }),
      ...(timeout === undefined ? {} : { deadlineMs: Math.round(timeout * 1000) }),
    });
    if (json) out(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const f of report.files) {
        out(
          f.ok
            ? `verified  ${f.file}: ${f.attestations} attestation(s) by ${f.signer ?? f.publisher}\n`
            : `FAILED    ${f.file}: ${f.reason}${f.signer === undefined ? "" : ` (signer: ${f.signer}; expected: ${f.publisher})`}\n`,
        );
      }
      const bad = report.files.filter((f) => !f.ok).length;
      out(`${report.files.length - bad} of ${report.files.length} verified against ${report.trustRoot}\n`);
    }
    return report.ok ? 0 : 1;
  } catch (error) {
    return commandFailure("verify-attestations", error, io, { json });
  }
}
