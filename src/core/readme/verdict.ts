/**
 * The outcome of rendering a long description with a real renderer (readme_renderer or bare
 * docutils, run by src/adapters/readme.ts) or with the built-in checks.
 */
import { BUILTIN_RST_RENDERER } from "./rst-lint.ts";

export interface RenderVerdict {
  /** What rendered it, e.g. "readme_renderer 46.0, docutils 0.23", "docutils 0.19", "built-in rst lint". */
  renderer: string;
  /** False when PyPI-equivalent rendering refused the text. */
  ok: boolean;
  /** True when the text rendered to nothing (which is also a refusal). */
  empty: boolean;
  /** The renderer's own messages (docutils stops at the first problem). */
  messages: { line?: number; text: string }[];
  /** Versions behind `renderer`, when a Python renderer was used. */
  versions?: { readmeRenderer?: string; docutils?: string; pygments?: string };
  /** Why PyPI's renderer was not used where slipway would have used it (shown as an info). */
  note?: string;
}

/** PyPI's renderer as slipway knows it: readme_renderer 46 with docutils 0.23 (warehouse pins). */
export const PYPI_RENDERER = { readmeRenderer: "46.0", docutils: "0.23" } as const;

export { BUILTIN_RST_RENDERER };

/** True when a verdict came from the same renderer versions PyPI uses. */
export function isReferenceRenderer(verdict: RenderVerdict): boolean {
  const v = verdict.versions;
  return (
    v?.readmeRenderer !== undefined &&
    majorMinor(v.readmeRenderer) === majorMinor(PYPI_RENDERER.readmeRenderer) &&
    v.docutils !== undefined &&
    majorMinor(v.docutils) === majorMinor(PYPI_RENDERER.docutils)
  );
}

function majorMinor(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}
