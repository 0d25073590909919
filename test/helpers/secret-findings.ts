/**
 * Findings as `slipway check` reports them for requests' sdist, which ships the keys of its TLS
 * tests (tests/certs/…): SEC08 by name and SEC09 by content for each key.
 */
import { issuesToFindings } from "../../src/core/checks/archive.ts";
import { checkSecurity } from "../../src/core/checks/security.ts";
import type { Finding } from "../../src/core/findings.ts";
import { hitIssues, scanContent } from "../../src/core/secrets/scanner.ts";
import { makeArtifact } from "./artifact.ts";

const PEM_KEY =
  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";

export const REQUESTS_KEYS = [
  "expired/ca/ca-private.key",
  "mtls/client/client.key",
  "valid/server/server.key",
].map((k) => `requests-2.34.2/tests/certs/${k}`);

/** SEC08 and SEC09 for the three keys, the sdist named `file`. */
export function requestsKeyFindings(file: string): Finding[] {
  const sdist = makeArtifact({
    filename: "requests-2.34.2.tar.gz",
    files: Object.fromEntries([...REQUESTS_KEYS.map((k) => [k, PEM_KEY]), ["requests-2.34.2/PKG-INFO", "x"]]),
  });
  const issues = REQUESTS_KEYS.flatMap((k) =>
    hitIssues(k, scanContent(new TextEncoder().encode(PEM_KEY)), "sdist"),
  );
  return [...checkSecurity({ display: file, artifact: sdist }), ...issuesToFindings(issues, file)].filter(
    (f) => /^SEC0[89]$/.test(f.id),
  );
}
