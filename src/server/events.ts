/**
 * What went wrong inside the index, as facts (`error` is the failure's own message): a route
 * that threw (`route-failed`: the request's method and its loggable path), and an upload whose
 * client went away (`upload-aborted`), stalled past its timer (`upload-timed-out`, answered
 * 408) or that could not be stored (`upload-failed`, answered 500).
 */
export type IndexWarning =
  | { kind: "route-failed"; method: string; path: string; error: string }
  | { kind: "upload-aborted" | "upload-timed-out" | "upload-failed"; error: string };

/**
 * What the embedded index reports while it runs; the CLI renders these as log lines. Every text
 * field has the index's token masked, and no query value but `format`'s is ever shown.
 */
export type IndexEvent =
  | {
      type: "request";
      method: string;
      /** The request target as logs may show it: the path, query values masked (`***`) but `format`'s. */
      path: string;
      status: number;
      durationMs: number;
    }
  | {
      type: "upload";
      project: string;
      filename: string;
      /** stored: a new file; identical: the same bytes were already there; conflict: refused (409). */
      outcome: "stored" | "identical" | "conflict";
      sha256: string;
      size: number;
    }
  | {
      type: "upstream";
      project: string;
      /** Without userinfo, query values masked. */
      url: string;
      status: number;
      durationMs: number;
    }
  | {
      type: "mint";
      /** Trusted publishing (`/_/oidc/mint-token`): never the JWT nor the minted token. */
      outcome: "minted" | "refused";
      /** The token's `iss` and `sub` claims as sent (empty when the JWT did not decode). */
      issuer: string;
      subject: string;
      /** minted: the projects the token may upload; refused: empty. */
      projects: string[];
      /** refused: PyPI's error code and its description. */
      code: string;
      description: string;
    }
  | {
      type: "attestation";
      /** PEP 740 attestations sent with an upload, verified before the file is stored. */
      outcome: "verified" | "refused";
      project: string;
      filename: string;
      /** The publisher they were checked against ("GitHub owner/repo .github/workflows/x.yml"); empty without one. */
      publisher: string;
      /** verified: the predicate types of the attestations. */
      predicateTypes: string[];
      /** refused: PyPI's reason (after "Invalid attestations supplied during upload: "). */
      reason: string;
    }
  | ({ type: "warning" } & IndexWarning);
