/**
 * Raw answers of an index to the upload cases that matter (sent with slipway's own adapter, no
 * pre-check), for the tests that pin each peer's behaviour and for docs/publish.md's table.
 */
import { statSync } from "node:fs";
import { basename, join } from "node:path";
import { digestFile } from "../../src/adapters/file-digests.ts";
import { probeUploadCredentials } from "../../src/adapters/http/probe.ts";
import { postUpload } from "../../src/adapters/http/upload.ts";
import { parseMetadataFile } from "../../src/core/metadata/parse.ts";
import { assembleUploadForm } from "../../src/core/upload/form.ts";
import { Secret } from "../../src/secret.ts";
import { metadataText, writeDists } from "./dists.ts";

export interface ProbeTarget {
  uploadUrl: string;
  simpleUrl: string;
  username: string;
  password: string;
}

async function send(
  url: string,
  path: string,
  auth?: { username: string; password: Secret },
): Promise<string> {
  const digests = await digestFile(path);
  const metadata = parseMetadataFile(Buffer.from(metadataText("slipway-probe", "1.0")));
  const form = assembleUploadForm({ filename: basename(path), metadata, ...digests });
  if (!form.ok) throw new Error(form.error);
  try {
    const answer = await postUpload({
      url,
      fields: form.value.fields,
      file: { path, filename: basename(path), size: statSync(path).size },
      ...(auth === undefined ? {} : { auth }),
      userAgent: "slipway/probe",
      stallMs: 10_000,
      deadlineMs: 30_000,
    });
    return String(answer.status);
  } catch (error) {
    return `transport: ${(error as Error).message}`;
  }
}

/** Status codes for each case, by case name. Uses the project `slipway-probe` on the index. */
export async function probeAnswers(target: ProbeTarget, dir: string): Promise<Record<string, string>> {
  const first = writeDists(join(dir, "probe-a"), { name: "slipway-probe", version: "1.0" }).sdist;
  const other = writeDists(join(dir, "probe-b"), { name: "slipway-probe", version: "1.0", salt: "b" }).sdist;
  const auth = { username: target.username, password: new Secret(target.password) };
  const rows: Record<string, string> = {};
  rows["no credentials"] = await send(target.uploadUrl, first);
  rows["wrong password"] = await send(target.uploadUrl, first, {
    ...auth,
    password: new Secret("wrong-password"),
  });
  rows["first upload"] = await send(target.uploadUrl, first, auth);
  rows["identical re-upload"] = await send(target.uploadUrl, first, auth);
  rows["same name, other bytes"] = await send(target.uploadUrl, other, auth);
  rows["POST to the simple URL"] = await send(target.simpleUrl, first, auth);
  const page = await fetch(`${target.simpleUrl}no-such-project/`);
  await page.body?.cancel();
  rows["simple page of an unknown project"] = String(page.status);
  const json = await fetch(`${target.simpleUrl}slipway-probe/`, {
    headers: { Accept: "application/vnd.pypi.simple.v1+json, text/html;q=0.01" },
  });
  await json.body?.cancel();
  rows["simple page type for a JSON-first Accept"] =
    (json.headers.get("content-type") ?? "").split(";")[0] ?? "";
  return rows;
}

/**
 * The index's answers to the credential probe (an upload request with no metadata and no file),
 * as "status verdict: the index's words", without, with wrong and with the right credentials.
 */
export async function probeCredentialAnswers(target: ProbeTarget): Promise<Record<string, string>> {
  const rows: Record<string, string> = {};
  const cases: [string, string | undefined][] = [
    ["probe without credentials", undefined],
    ["probe with a wrong password", "wrong-password"],
    ["probe with the right credentials", target.password],
  ];
  for (const [name, password] of cases) {
    const { verdict, answer } = await probeUploadCredentials({
      uploadUrl: target.uploadUrl,
      ...(password === undefined
        ? {}
        : { auth: { username: target.username, password: new Secret(password) } }),
      userAgent: "slipway/probe",
      stallMs: 10_000,
      deadlineMs: 30_000,
    });
    rows[name] = `${answer.status} ${verdict}: ${answer.message}`;
  }
  return rows;
}
