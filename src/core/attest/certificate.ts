/**
 * What a Fulcio certificate says about its signer: its subject alternative name and the OIDC
 * claims Fulcio writes as extensions (1.3.6.1.4.1.57264.1.*). Apart from identity.ts, so reading
 * publishers (the index, the mint) does not load an X.509 parser.
 */
import { X509Certificate } from "@sigstore/core";
import { fail, ok, type Parsed } from "../result.ts";
import { type ClaimName, FULCIO_OIDS, type SignerClaims } from "./identity.ts";

/** A DER UTF8String (what Fulcio's v2 extensions hold); undefined when it is not one. */
function derUtf8(value: Buffer): string | undefined {
  if (value.length < 2 || value[0] !== 0x0c) return undefined;
  let length = value[1] ?? 0;
  let start = 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes < 1 || bytes > 3 || value.length < 2 + bytes) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (value[2 + i] ?? 0);
    start = 2 + bytes;
  }
  if (start + length !== value.length) return undefined;
  return value.subarray(start).toString("utf8");
}

/** The signer claims of a DER certificate; a certificate that does not parse is an error. */
export function signerClaims(certificateDer: Uint8Array): Parsed<SignerClaims> {
  let cert: X509Certificate;
  try {
    cert = X509Certificate.parse(Buffer.from(certificateDer));
  } catch {
    return fail("the certificate is not a valid X.509 certificate");
  }
  const claims: SignerClaims["claims"] = {};
  for (const [name, oid] of Object.entries(FULCIO_OIDS) as [ClaimName, string][]) {
    const extension = cert.extension(oid);
    if (extension === undefined) continue;
    const text = derUtf8(extension.value);
    if (text !== undefined) claims[name] = text;
  }
  let san: string | undefined;
  try {
    san = cert.subjectAltName;
  } catch {
    san = undefined;
  }
  return ok(san === undefined ? { claims } : { san, claims });
}
