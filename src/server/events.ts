/** What the embedded index reports while it runs; the CLI renders these as log lines. */
export type IndexEvent =
  | {
      type: "request";
      method: string;
      /** The request target as received (path and query). */
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
  | { type: "upstream"; project: string; url: string; status: number; durationMs: number }
  | { type: "warning"; message: string };
