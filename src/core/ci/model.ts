/** The generated files as data: a header and named blocks (one per job), before rendering. */
import type { YamlMap } from "./yaml-emit.ts";

export type CiProvider = "github" | "gitea" | "gitlab";
export const CI_PROVIDERS: readonly CiProvider[] = ["github", "gitea", "gitlab"];

export interface CiJob {
  id: string;
  /** The job's definition (the value under its id). */
  body: YamlMap;
}

export interface CiFileModel {
  /** Relative to the project root, POSIX. */
  path: string;
  /** Comment lines written once at the top when the file is created (kept as the user leaves them). */
  preamble: string[];
  /** Top-level keys before the jobs (`name`, `on`, `permissions`, `stages`...). */
  header: YamlMap;
  /** GitHub and Gitea nest jobs under `jobs:`; GitLab jobs are top-level keys. */
  nested: boolean;
  jobs: CiJob[];
}
