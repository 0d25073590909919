/**
 * The actions the generated workflows use, pinned by full commit SHA (a tag can be moved; a
 * commit cannot), with the release each SHA is, for the `# vX.Y.Z` comment beside it.
 * `scripts/update-action-pins.mjs` rewrites this table from the GitHub API (tag → commit,
 * annotated tags peeled); keep each entry's fields in the order `uses`, `sha`, `version`.
 */

export interface ActionPin {
  /** `owner/repo` or `owner/repo/path` (a sub-action such as `github/codeql-action/upload-sarif`). */
  uses: string;
  /** The commit the release tag points at (peeled), 40 hex digits. */
  sha: string;
  /** The release tag, shown as a comment beside the SHA. */
  version: string;
}

// BEGIN PINS (scripts/update-action-pins.mjs rewrites this block)
export const ACTION_PINS = {
  checkout: { uses: "actions/checkout", sha: "11bd71901bbe5b1630ceea73d27597364c9af683", version: "v4.2.2" },
  setupPython: {
    uses: "actions/setup-python",
    sha: "a26af69be951a213d495a4c3e4e4022e16d87065",
    version: "v5.6.0",
  },
  setupNode: {
    uses: "actions/setup-node",
    sha: "a0853c24544627f65ddf259abe73b1d18a591444",
    version: "v5.0.0",
  },
  cache: { uses: "actions/cache", sha: "5a3ec84eff668545956fd18022155c47e93e2684", version: "v4.2.3" },
  uploadArtifact: {
    uses: "actions/upload-artifact",
    sha: "ea165f8d65b6e75b540449e92b4886f43607fa02",
    version: "v4.6.2",
  },
  downloadArtifact: {
    uses: "actions/download-artifact",
    sha: "d3f86a106a0bac45b974a628896c90dbdf5c8093",
    version: "v4.3.0",
  },
  uploadArtifactV3: {
    uses: "actions/upload-artifact",
    sha: "ff15f0306b3f739f7b6fd43fb5d26cd321bd4de5",
    version: "v3.2.1",
  },
  downloadArtifactV3: {
    uses: "actions/download-artifact",
    sha: "9bc31d5ccc31df68ecc42ccf4149144866c47d8a",
    version: "v3.0.2",
  },
  uploadSarif: {
    uses: "github/codeql-action/upload-sarif",
    sha: "ff0a06e83cb2de871e5a09832bc6a81e7276941f",
    version: "v3.28.18",
  },
  uploadPagesArtifact: {
    uses: "actions/upload-pages-artifact",
    sha: "56afc609e74202658d3ffba0e8f6dda462b719fa",
    version: "v3.0.1",
  },
  deployPages: {
    uses: "actions/deploy-pages",
    sha: "d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e",
    version: "v4.0.5",
  },
} as const satisfies Record<string, ActionPin>;
// END PINS

export type ActionName = keyof typeof ACTION_PINS;

/** The tools the generated jobs install from PyPI or npm, pinned by version. */
export const TOOL_PINS = {
  /** pip-installed in the native build job; runs the wheel matrix. */
  cibuildwheel: "2.23.3",
  uv: "0.7.8",
  poetry: "2.1.3",
  node: "24",
} as const;

/**
 * The `uses:` value of an action: `owner/repo@sha`, or with `base` (Gitea: an absolute URL such
 * as `https://github.com`) `base/owner/repo@sha`.
 */
export function actionRef(name: ActionName, base?: string): string {
  const pin: ActionPin = ACTION_PINS[name];
  const prefix = base === undefined ? "" : `${base.replace(/\/+$/, "")}/`;
  return `${prefix}${pin.uses}@${pin.sha}`;
}
