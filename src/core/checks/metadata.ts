/**
 * Core metadata checks (MD01–MD27) on a distribution's METADATA or PKG-INFO: what packaging
 * (and so twine) validates, plus what PyPI adds on upload (e-mails, URLs, classifiers, versions).
 */
import type { Finding } from "../findings.ts";
import type { DistContext } from "./context.ts";
import {
  checkImportNames,
  checkProvidesExtra,
  checkProvidesObsoletes,
  checkRequiresDist,
  checkRequiresPython,
} from "./metadata-deps.ts";
import {
  checkClassifiers,
  checkContentType,
  checkDeprecated,
  checkDescriptionTwice,
  checkDynamic,
  checkEmails,
  checkFolding,
  checkKeywords,
  checkLegacyUrls,
  checkLicenseTwice,
  checkPlaceholders,
  checkProjectUrls,
  checkSummary,
} from "./metadata-fields.ts";
import type { MdScope } from "./metadata-scope.ts";
import { makeScope } from "./metadata-scope.ts";
import {
  checkEncoding,
  checkFieldAges,
  checkHeaderSyntax,
  checkMetadataVersion,
  checkName,
  checkRepeats,
  checkVersion,
} from "./metadata-structure.ts";

export { MD_CHECKS } from "./metadata-catalogue.ts";

const RULES: readonly ((scope: MdScope) => Finding[])[] = [
  checkEncoding,
  checkMetadataVersion,
  checkName,
  checkVersion,
  checkRepeats,
  checkHeaderSyntax,
  checkFieldAges,
  checkSummary,
  checkContentType,
  checkDescriptionTwice,
  checkDynamic,
  checkRequiresDist,
  checkRequiresPython,
  checkProvidesExtra,
  checkProvidesObsoletes,
  checkProjectUrls,
  checkLegacyUrls,
  checkEmails,
  checkClassifiers,
  checkLicenseTwice,
  checkKeywords,
  checkImportNames,
  checkDeprecated,
  checkPlaceholders,
  checkFolding,
];

/**
 * Runs every MD check on the parsed metadata of one distribution. Does nothing when the
 * metadata file was not found: the wheel and sdist checks report that.
 */
export function checkMetadata(ctx: DistContext): Finding[] {
  if (ctx.metadata === undefined) return [];
  const scope = makeScope(ctx, ctx.metadata);
  return RULES.flatMap((rule) => rule(scope));
}
