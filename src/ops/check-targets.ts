/**
 * What `slipway check` is asked to check: the project directory and the distribution files named
 * on its command line (or the project in the working directory).
 */
import { resolve, sep } from "node:path";
import { pathKind } from "../adapters/fs.ts";
import { SlipwayError } from "../errors.ts";

/** What is at `path`; an unreadable path counts as nothing there. */
const kindOf = (path: string) => pathKind(path).catch(() => undefined);

export interface Targets {
  project?: string;
  dists: string[];
}

/** Splits positionals into the project directory and the distribution files. */
export async function resolveTargets(positionals: readonly string[], cwd: string): Promise<Targets> {
  const dists: string[] = [];
  let project: string | undefined;
  for (const arg of positionals) {
    const abs = resolve(cwd, arg);
    const kind = await kindOf(abs);
    if (kind === "directory") {
      if (project !== undefined || dists.length > 0) {
        throw new SlipwayError(
          "usage",
          `'${arg}' is a directory, but only the first argument may be a project`,
          {
            hint: "Give one project directory first, then distribution files.",
          },
        );
      }
      project = abs;
    } else if (kind === "file") {
      dists.push(abs);
    } else {
      throw new SlipwayError("usage", `'${arg}' does not exist`, { hint: "Check the path, or build first." });
    }
  }
  if (project === undefined) {
    const here = (await kindOf(resolve(cwd, "pyproject.toml"))) === "file";
    const insideCwd = dists.every((d) => d.startsWith(cwd + sep));
    if (here && (positionals.length === 0 || insideCwd)) project = cwd;
  }
  if (project === undefined && dists.length === 0) {
    throw new SlipwayError("config", `no pyproject.toml in ${cwd} and no distributions given`, {
      hint: "Run slipway check in a project directory, or name a project or .whl/.tar.gz files.",
    });
  }
  return project === undefined ? { dists } : { project, dists };
}
