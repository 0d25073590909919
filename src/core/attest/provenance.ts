/**
 * PEP 740 provenance objects (what `GET /integrity/<project>/<version>/<filename>/provenance`
 * answers, `application/vnd.pypi.integrity.v1+json`): attestation bundles, each the attestations
 * of one publisher with that publisher's description. Read from indexes, so read strictly.
 */
import { fail, ok, type Parsed } from "../result.ts";
import type { Publisher } from "./identity.ts";
import { type Attestation, readAttestation } from "./model.ts";

export const INTEGRITY_MEDIA_TYPE = "application/vnd.pypi.integrity.v1+json";

export interface AttestationBundle {
  /** The publisher as the index recorded it; undefined when the kind is one slipway does not know. */
  publisher: Publisher | undefined;
  /** The publisher object exactly as served (kind and fields), for reports. */
  publisherJson: Record<string, unknown>;
  attestations: Attestation[];
}

export interface Provenance {
  version: 1;
  bundles: AttestationBundle[];
}

const MAX_BUNDLES = 8;
const MAX_PER_BUNDLE = 4;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A publisher object of the integrity API (PyPI's snake_case keys) as a Publisher. */
export function readPublisher(value: Record<string, unknown>): Publisher | undefined {
  const str = (key: string) =>
    typeof value[key] === "string" && value[key] !== "" ? (value[key] as string) : undefined;
  const environment = str("environment");
  const env = environment === undefined ? {} : { environment };
  const repository = str("repository");
  switch (value.kind) {
    case "GitHub": {
      const workflow = str("workflow");
      return repository && workflow ? { kind: "GitHub", repository, workflow, ...env } : undefined;
    }
    case "GitLab": {
      const workflowFilepath = str("workflow_filepath");
      return repository && workflowFilepath
        ? { kind: "GitLab", repository, workflowFilepath, ...env }
        : undefined;
    }
    case "Google": {
      const email = str("email");
      return email ? { kind: "Google", email } : undefined;
    }
    default:
      return undefined;
  }
}

/** A Publisher as the integrity API's publisher object. */
export function publisherJson(publisher: Publisher): Record<string, unknown> {
  switch (publisher.kind) {
    case "GitHub":
      return {
        kind: "GitHub",
        repository: publisher.repository,
        workflow: publisher.workflow,
        environment: publisher.environment ?? null,
        claims: null,
      };
    case "GitLab":
      return {
        kind: "GitLab",
        repository: publisher.repository,
        workflow_filepath: publisher.workflowFilepath,
        environment: publisher.environment ?? null,
        claims: null,
      };
    case "Google":
      return { kind: "Google", email: publisher.email, claims: null };
  }
}

/** A provenance object (parsed JSON), checked for shape. */
export function readProvenance(value: unknown): Parsed<Provenance> {
  if (!isObject(value)) return fail("a provenance object must be a JSON object");
  if (value.version !== 1) return fail(`unsupported provenance version ${JSON.stringify(value.version)}`);
  const bundles = value.attestation_bundles;
  if (!Array.isArray(bundles) || bundles.length === 0) return fail("attestation_bundles is empty");
  if (bundles.length > MAX_BUNDLES) return fail(`more than ${MAX_BUNDLES} attestation bundles`);
  const out: AttestationBundle[] = [];
  for (const [i, bundle] of bundles.entries()) {
    if (!isObject(bundle) || !isObject(bundle.publisher) || !Array.isArray(bundle.attestations))
      return fail(`attestation_bundles[${i}] needs a publisher and attestations`);
    if (bundle.attestations.length === 0 || bundle.attestations.length > MAX_PER_BUNDLE)
      return fail(
        `attestation_bundles[${i}] holds ${bundle.attestations.length} attestations (1 to ${MAX_PER_BUNDLE})`,
      );
    const attestations: Attestation[] = [];
    for (const [j, item] of bundle.attestations.entries()) {
      const read = readAttestation(item);
      if (!read.ok) return fail(`attestation_bundles[${i}].attestations[${j}]: ${read.error}`);
      attestations.push(read.value);
    }
    out.push({ publisher: readPublisher(bundle.publisher), publisherJson: bundle.publisher, attestations });
  }
  return ok({ version: 1, bundles: out });
}

/** The provenance object an index serves for one file uploaded by one publisher. */
export function provenanceFor(publisher: Publisher, attestations: Attestation[]): Record<string, unknown> {
  return {
    version: 1,
    attestation_bundles: [{ publisher: publisherJson(publisher), attestations }],
  };
}
