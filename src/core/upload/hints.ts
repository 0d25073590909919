/**
 * Known dead ends of uploading, mapped from the index's answer to the next action. The texts are
 * PyPI's (warehouse forklift/legacy.py, decorators.py) and what other indexes say for the same
 * case (twine#332, #693, #697, #816, #1044; uv#8817). A hint never decides an outcome: "already
 * there" is decided by the simple API and a sha256 compare.
 */
import { PYPI_UPLOAD_URL, TESTPYPI_UPLOAD_URL } from "./pypirc.ts";

export interface AnswerInfo {
  status: number;
  /** The index's message (JSON message, reason phrase, body text). */
  text: string;
  uploadUrl: string;
  /** Location header of a redirect. */
  location?: string;
}

const EXISTS_WORDS =
  /already exists?|already been taken|cannot be updated|does not allow updating|overwrite|already contains|entity already exists|conflict/i;

/**
 * True when an answer might mean "the file is already there" in some index's dialect (PyPI 400
 * "File already exists", pypiserver 409, Nexus "cannot be updated", Artifactory 403 "overwrite",
 * GitLab "has already been taken", Azure/CodeArtifact 409). Used only to word a warning.
 */
export function mightMeanExists(status: number, text: string): boolean {
  return status === 409 || ((status === 400 || status === 403) && EXISTS_WORDS.test(text));
}

interface Rule {
  test: (a: AnswerInfo) => boolean;
  hint: (a: AnswerInfo) => string;
}

const has = (pattern: RegExp) => (a: AnswerInfo) => pattern.test(a.text);

const RULES: readonly Rule[] = [
  {
    test: (a) => a.status >= 300 && a.status < 400,
    hint: (a) =>
      a.location !== undefined && a.location.replace(/\/$/, "") === a.uploadUrl.replace(/\/$/, "")
        ? `The upload URL is missing a trailing slash: use ${a.location}`
        : `The index redirects uploads${a.location ? ` to ${a.location}` : ""}; an upload cannot follow a redirect, so use the final URL as the upload URL.`,
  },
  {
    test: (a) => a.status === 405,
    hint: () =>
      `This URL does not take uploads (405): it is probably the simple index or a web page. PyPI's upload URL is ${PYPI_UPLOAD_URL}, TestPyPI's ${TESTPYPI_UPLOAD_URL}.`,
  },
  {
    test: (a) => a.status === 410 && /pypi\.python\.org/.test(a.uploadUrl),
    hint: () => `pypi.python.org no longer takes uploads: use ${PYPI_UPLOAD_URL}.`,
  },
  {
    test: has(/Username\/Password authentication is no longer supported/i),
    hint: () =>
      "PyPI takes API tokens only: create one at https://pypi.org/manage/account/token/ and use username __token__ with the token as the password.",
  },
  {
    test: has(/trusted publishing/i),
    hint: () =>
      "The token trusted publishing minted covers other projects: add a trusted publisher for this project on the index (its publishing settings: this repository, workflow and environment), or publish it from the workflow its publisher names.",
  },
  {
    test: has(/isn't allowed to upload to project|not valid for project|token isn't allowed/i),
    hint: () =>
      "The token is valid but not for this project: use a token scoped to it (or to the account), or ask an owner to add you as a maintainer.",
  },
  {
    test: has(/token is expired|expired/i),
    hint: () => "The token has expired: create a new one (trusted-publishing tokens last 15 minutes).",
  },
  {
    test: has(/does not have a verified primary email|two-factor authentication/i),
    hint: () => "PyPI requires a verified e-mail address and 2FA on the account that owns the token.",
  },
  {
    test: has(/Read-only mode|uploads are temporarily disabled/i),
    hint: () =>
      "The index is not accepting uploads right now: re-run later; files already there are recognised by hash.",
  },
  {
    test: (a) => a.status === 401,
    hint: () =>
      "The index wants credentials: pass --username and --password-stdin, set TWINE_USERNAME and TWINE_PASSWORD, or add them to .pypirc. For PyPI the username is __token__ and the password an API token.",
  },
  {
    test: (a) => a.status === 403 && /Invalid or non-existent authentication/i.test(a.text),
    hint: () =>
      "The token was refused: check that it is complete (PyPI tokens start with pypi-), not revoked, and that the username is __token__.",
  },
  {
    test: (a) => a.status === 403,
    hint: () =>
      "The index refused these credentials for this upload: check the user's upload permission on this index.",
  },
  {
    test: has(/filename was previously used|filename has already been used/i),
    hint: () =>
      "PyPI never lets a file name be reused, even after the file was deleted (https://pypi.org/help/#file-name-reuse): release a new version, e.g. a .post1.",
  },
  {
    test: has(/releases older than 14 days/i),
    hint: () =>
      "PyPI takes no new files for a release older than 14 days: publish the missing files under a new version (e.g. a .post1).",
  },
  {
    test: has(/Only one sdist may be uploaded per release/i),
    hint: () => "The release already has an sdist under another name: publish this one under a new version.",
  },
  {
    test: has(/Non-user identities cannot create new projects/i),
    hint: () =>
      "A trusted publisher cannot create a project unless it is registered as a pending publisher with exactly this project name: check the name in the metadata.",
  },
  {
    test: has(/Too many new projects created/i),
    hint: () => "PyPI limits how many projects one account creates per hour: wait an hour and re-run.",
  },
  {
    test: (a) => a.status === 413 || /File too large|Project size too large/i.test(a.text),
    hint: () =>
      "The file exceeds the index's size limit (PyPI: 100 MiB by default): request a larger limit (https://pypi.org/help/#file-size-limit).",
  },
  {
    test: has(/description failed to render/i),
    hint: () => "Run `slipway check` on the file: the README does not render with PyPI's renderer.",
  },
  {
    test: has(/use of local versions/i),
    hint: () => "Indexes refuse local versions (+something): build with a public version.",
  },
  {
    test: has(/File already exists|already exists|already been taken|cannot be updated|overwrite/i),
    hint: () =>
      "The index keeps a file of this name. If its bytes differ from yours, publish under a new version: indexes never let a file name be reused.",
  },
  {
    test: (a) => a.status === 429,
    hint: () =>
      "The index is rate-limiting uploads: re-run later; files already there are recognised by hash.",
  },
  {
    test: (a) => a.status >= 500,
    hint: () =>
      "The index failed while taking the file: re-run later; files already there are recognised by hash and not sent twice.",
  },
];

/** The hint for an index's refusal, or undefined when the answer matches no known dead end. */
export function hintForAnswer(answer: AnswerInfo): string | undefined {
  return RULES.find((rule) => rule.test(answer))?.hint(answer);
}

/** The hint for a transport failure (no HTTP answer). */
export function hintForTransport(error: string, uploadUrl: string): string {
  if (/ENOTFOUND|EAI_AGAIN/.test(error)) return `The host of ${uploadUrl} does not resolve: check the URL.`;
  if (/ECONNREFUSED/.test(error))
    return `Nothing listens at ${uploadUrl}: check the URL and that the index runs.`;
  if (/certificate|CERT_|SSL|TLS/i.test(error)) {
    return "The TLS connection failed: check the URL's scheme and the index's certificate (NODE_EXTRA_CA_CERTS for a private CA).";
  }
  return "The connection broke before the index answered: re-run; files already there are recognised by hash and not sent twice.";
}
