/**
 * The part of SARIF 2.1.0 slipway writes (OASIS sarif-v2.1.0 §3): a log of runs, each with its
 * tool, rules and results. Only what slipway fills is typed; the schema allows much more.
 */

export type SarifLevel = "error" | "warning" | "note" | "none";

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}

export interface SarifRun {
  tool: { driver: SarifDriver };
  automationDetails: { id: string };
  columnKind: "utf16CodeUnits";
  results: SarifResult[];
  properties?: Record<string, unknown>;
}

export interface SarifDriver {
  name: string;
  version?: string;
  informationUri?: string;
  rules: SarifRule[];
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; "security-severity"?: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region?: { startLine: number };
    };
  }[];
  partialFingerprints: Record<string, string>;
}
