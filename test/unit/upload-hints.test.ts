/** Known dead ends → hints, on the texts PyPI and other indexes really send (upload.md b.1, b.3). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { hintForAnswer, hintForTransport, mightMeanExists } from "../../src/core/upload/hints.ts";

const URL = "https://upload.pypi.org/legacy/";
const hint = (status: number, text: string, location?: string) =>
  hintForAnswer({ status, text, uploadUrl: URL, ...(location === undefined ? {} : { location }) }) ?? "";

test("PyPI's refusals map to the next action", () => {
  assert.match(
    hint(308, "Permanent Redirect", "https://upload.pypi.org/legacy/"),
    /trailing slash: use https:\/\/upload\.pypi\.org\/legacy\//,
  );
  assert.match(
    hint(301, "Moved", "https://elsewhere.example/up/"),
    /redirects uploads to https:\/\/elsewhere/,
  );
  assert.match(hint(405, "Method Not Allowed"), /simple index/);
  assert.match(
    hint(403, "Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth"),
    /pypi-/,
  );
  assert.match(
    hint(403, "Username/Password authentication is no longer supported. Migrate to API Tokens"),
    /API tokens/,
  );
  assert.match(hint(403, "The user 'bob' isn't allowed to upload to project 'x'."), /scoped/);
  assert.match(
    hint(
      400,
      "File already exists ('x-1.tar.gz', with blake2_256 hash 'ab'). See https://pypi.org/help/#file-name-reuse",
    ),
    /never let a file name be reused/,
  );
  assert.match(
    hint(
      400,
      "This filename was previously used by a file that has since been deleted. Use a different version.",
    ),
    /\.post1/,
  );
  assert.match(hint(400, "This filename has already been used, use a different version."), /\.post1/);
  assert.match(hint(400, "Uploading new files to releases older than 14 days is not allowed."), /14 days/);
  assert.match(hint(400, "Only one sdist may be uploaded per release."), /new version/);
  assert.match(hint(400, "Non-user identities cannot create new projects."), /pending publisher/);
  // The embedded index says when a refused token was minted by trusted publishing; PyPI's
  // message does not, and keeps the scoped-token hint.
  assert.match(
    hint(
      403,
      "The given token isn't allowed to upload to project 'b': it was minted by trusted publishing for a.",
    ),
    /add a trusted publisher for this project/,
  );
  assert.match(hint(403, "The given token isn't allowed to upload to project 'b'"), /token scoped to it/);
  assert.match(hint(429, "Too many new projects created"), /hour/);
  assert.match(hint(400, "File too large. Limit for project 'x' is 100 MB."), /size limit/);
  assert.match(hint(401, "Unauthorized"), /--password-stdin/);
  assert.match(hint(503, "Service Unavailable"), /re-run later/);
  assert.equal(hintForAnswer({ status: 418, text: "teapot", uploadUrl: URL }), undefined);
});

test("'might mean exists' covers every index's dialect, and only refusals", () => {
  assert.ok(mightMeanExists(409, "Conflict"));
  assert.ok(mightMeanExists(400, "File already exists ('x')"));
  assert.ok(mightMeanExists(400, "Repository does not allow updating assets: pypi-hosted"));
  assert.ok(mightMeanExists(400, "pypi-hosted/packages/x/1/x-1.tar.gz cannot be updated"));
  assert.ok(mightMeanExists(403, "Not enough permissions to delete/overwrite artifact 'x'"));
  assert.ok(mightMeanExists(400, '{"message":"Validation failed: File name has already been taken"}'));
  assert.ok(mightMeanExists(400, "requested entity already exists"));
  assert.ok(!mightMeanExists(400, "Invalid distribution file."));
  assert.ok(!mightMeanExists(500, "already exists"));
});

test("transport failures get a hint by kind", () => {
  assert.match(hintForTransport("ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1", URL), /Nothing listens/);
  assert.match(hintForTransport("ENOTFOUND: getaddrinfo ENOTFOUND x", URL), /does not resolve/);
  assert.match(hintForTransport("UNABLE_TO_VERIFY_LEAF_SIGNATURE: certificate", URL), /NODE_EXTRA_CA_CERTS/);
  assert.match(hintForTransport("ECONNRESET: socket hang up", URL), /re-run/);
});
