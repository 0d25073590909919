/**
 * The output flags of every scan subcommand and their help lines, apart from the renderers so
 * a command can show its help (and parse) without loading them.
 */

/** The output flags every scan subcommand takes (spread into its parseCommandLine options). */
export const SCAN_OUTPUT_FLAGS = {
  format: { type: "string" },
  json: { type: "boolean" },
  sarif: { type: "string" },
  "sarif-in": { type: "string", multiple: true },
} as const;

/** The help lines of those flags, for each subcommand's HELP. */
export const SCAN_OUTPUT_HELP = `  --format FORMAT   text (default), json (one document), or github (workflow annotations)
  --json            the same as --format json
  --sarif FILE      also write a SARIF 2.1.0 report to FILE (for GitHub code scanning)
  --sarif-in FILE   add the results of another scanner's SARIF file (bandit, semgrep,
                    CodeQL); repeatable. Its errors fail the scan like slipway's own`;
