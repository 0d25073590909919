/**
 * What the built-in reStructuredText lint learns about a document while parsing it: problems
 * found, and the names, references and substitutions that docutils' transforms resolve after
 * parsing (transforms/references.py). Mirrors docutils' document-level registries.
 */

/** docutils system message levels that stop readme_renderer (halt_level=2: WARNING and up). */
export type RstLevel = "warning" | "error" | "severe";

export interface RstIssue {
  /** 1-based line in the text given to the lint. */
  line: number;
  level: RstLevel;
  message: string;
}

/** An observation that does not stop rendering on PyPI (e.g. a code language Pygments lacks). */
export interface RstNote {
  line: number;
  message: string;
}

/** A URI the document links to or embeds, for the sanitizer and relative-link checks. */
export interface RstLink {
  uri: string;
  line: number;
  kind: "link" | "image";
}

/** A node of the coarse document tree the transforms need (sections, transitions, docinfo). */
export interface RstNode {
  kind: string;
  line: number;
  children?: RstNode[];
  /** Field lists: each field's name and the kinds of its body elements. */
  fields?: { name: string; line: number; body: string[] }[];
}

interface NameEntry {
  refuri?: string;
  refname?: string;
}

export interface TargetInfo {
  refuri?: string;
  refname?: string;
}

/** Appends a child node, creating the children list when needed. */
export function appendChild(parent: RstNode, node: RstNode): void {
  if (parent.children === undefined) parent.children = [];
  parent.children.push(node);
}

export class RstDoc {
  readonly issues: RstIssue[] = [];
  readonly notes: RstNote[] = [];
  readonly links: RstLink[] = [];
  /** Constructs the lint recognises but does not fully verify. */
  readonly unverified = new Set<string>();

  /** Reference name -> target; null marks a duplicate that cannot be referenced. */
  private readonly names = new Map<string, NameEntry | null>();
  private readonly explicitNames = new Set<string>();
  readonly refs: { name: string; line: number }[] = [];
  readonly indirect: { name: string; refname: string; line: number }[] = [];
  readonly anonymousRefs: number[] = [];
  readonly anonymousTargets: number[] = [];
  readonly substitutionDefs = new Map<string, number>();
  readonly substitutionRefs: { name: string; line: number }[] = [];
  /** `[#]_` and `[#label]_` references, in document order. */
  readonly autoFootnoteRefs: { line: number; label?: string }[] = [];
  /** Unlabeled auto-numbered footnotes (`.. [#]`), which number the unresolved references. */
  autoFootnotes = 0;
  /** Labels of `.. [#label]` footnotes. */
  readonly autoFootnoteLabels = new Set<string>();
  readonly symbolFootnoteRefs: number[] = [];
  symbolFootnotes = 0;
  /** Roles defined by `.. role::`, lower-cased, mapped to their base role. */
  readonly customRoles = new Map<string, string>();
  defaultRole: string | undefined;
  /** True while parsing a substitution definition's contents. */
  inSubstitution = false;
  /** Constructs met inside a substitution definition that docutils refuses there. */
  readonly substitutionIllegal: string[] = [];
  /** Section title styles in order of first use (docutils memo.title_styles). */
  readonly titleStyles: string[] = [];

  report(level: RstLevel, line: number, message: string): void {
    this.issues.push({ line, level, message });
  }

  note(line: number, message: string): void {
    this.notes.push({ line, message });
  }

  /**
   * Registers a target name as docutils' document.note_names does: an explicit name clashing
   * with another explicit one is a WARNING ("Duplicate explicit target name"), unless both
   * point to the same URI or name; clashing implicit names become unusable.
   */
  noteName(name: string, target: TargetInfo, explicit: boolean, line: number): void {
    if (!this.names.has(name)) {
      this.names.set(name, target);
      if (explicit) this.explicitNames.add(name);
      return;
    }
    const old = this.names.get(name);
    const oldExplicit = this.explicitNames.has(name);
    if (explicit) this.explicitNames.add(name);
    const sameTarget =
      old != null &&
      ((target.refname !== undefined && target.refname === old.refname) ||
        (target.refuri !== undefined && target.refuri === old.refuri));
    if (sameTarget) return;
    if (explicit) {
      if (oldExplicit) {
        this.report("warning", line, `Duplicate explicit target name: "${name}".`);
        this.names.set(name, null);
      } else {
        this.names.set(name, target);
      }
    } else if (old != null && !oldExplicit) {
      this.names.set(name, null);
    }
  }

  /** "ok", "duplicate" (exists but ambiguous) or "unknown". */
  lookupName(name: string): "ok" | "duplicate" | "unknown" {
    if (!this.names.has(name)) return "unknown";
    return this.names.get(name) === null ? "duplicate" : "ok";
  }

  target(name: string): NameEntry | undefined {
    return this.names.get(name) ?? undefined;
  }
}
