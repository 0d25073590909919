/** Where a long description comes from: a distribution's metadata or the project's readme. */
import { field } from "../metadata/parse.ts";
import { readmeContentType, readmeFile } from "../pyproject/mapping.ts";
import { projectPath } from "../pyproject/plan.ts";
import type { DistContext, ProjectContext } from "./context.ts";
import { type DescriptionInput, markupOf } from "./description.ts";

const decoder = new TextDecoder("utf-8");

/** The Description of a distribution (message body since 2.1, else the legacy header). */
export function descriptionOfDist(ctx: DistContext): DescriptionInput | undefined {
  if (ctx.metadata === undefined) return undefined;
  const { body, bodyLine } = ctx.metadata;
  return {
    location: {
      file: ctx.display,
      ...(ctx.metadataMember ? { member: ctx.metadataMember } : {}),
      field: "Description",
    },
    description: body ?? field(ctx.metadata, "Description"),
    contentType: field(ctx.metadata, "Description-Content-Type"),
    // Lines of a body description point into METADATA / PKG-INFO itself.
    ...(body !== undefined && bodyLine !== undefined ? { firstLine: bodyLine } : {}),
  };
}

/**
 * The project's `[project] readme` as the backend will ship it. Undefined when the readme is
 * dynamic, absent or unreadable (the pyproject checks report those).
 */
export function descriptionOfProject(
  project: ProjectContext,
  root: string,
  display: (path: string) => string,
): DescriptionInput | undefined {
  const table = project.pyproject?.["project"];
  if (typeof table !== "object" || table === null) return undefined;
  const readme = (table as Record<string, unknown>)["readme"];
  const contentType = readmeContentType(readme);
  if (contentType === undefined) return undefined;
  const file = readmeFile(readme);
  if (file === undefined) {
    const text = (readme as Record<string, unknown>)["text"];
    if (typeof text !== "string") return undefined;
    return {
      location: { file: project.display, field: "project.readme.text" },
      description: text,
      contentType,
    };
  }
  const path = projectPath(file);
  const bytes = path === undefined ? undefined : project.contents.get(path);
  if (path === undefined || bytes === undefined) return undefined;
  return { location: { file: display(`${root}/${path}`) }, description: decoder.decode(bytes), contentType };
}

/** Only reStructuredText (declared, or the default when no type is given) needs docutils. */
export function needsRenderer(input: DescriptionInput): boolean {
  if (
    input.description === undefined ||
    input.description.trim() === "" ||
    input.description.trim() === "UNKNOWN"
  ) {
    return false;
  }
  return markupOf(input.contentType) === "rst";
}
