/** The host-release step's events in words (`slipway release`, docs/host-releases.md). */
import type { HostReleaseEvent } from "../../ops/release/host-release.ts";

const NAMES = { github: "GitHub", gitea: "Gitea", gitlab: "GitLab" } as const;

export function hostReleaseLines(e: HostReleaseEvent): string[] {
  switch (e.type) {
    case "host-release": {
      const where = e.url === undefined || e.url === "" ? "" : `: ${e.url}`;
      if (e.action === "skipped") return [`${NAMES[e.host]} release of ${e.tag} skipped: ${e.reason ?? ""}`];
      if (e.action === "created") return [`created the ${NAMES[e.host]} release ${e.tag}${where}`];
      if (e.action === "found")
        return [`the ${NAMES[e.host]} release ${e.tag} exists; completing it${where}`];
      return [`wrote the changelog entry as the notes of ${e.tag}`];
    }
    case "host-asset":
      return [
        `${e.name}: ${e.status === "kept" ? "already there, same sha256" : e.status === "uploaded" ? "uploaded" : "an unfinished upload replaced"}`,
      ];
    case "host-wait":
      return [`${e.url}: ${e.reason}; retrying in ${(e.waitMs / 1000).toFixed(1)} s`];
  }
}
