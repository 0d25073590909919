/**
 * The checks docutils' transforms make after parsing (transforms/references.py, misc.py,
 * frontmatter.py): references resolve to one target, substitutions are defined, footnote
 * counts match, transitions sit between body elements, bibliographic fields have content.
 */
import type { RstDoc, RstNode } from "./rst-doc.ts";
import { normalizeName } from "./rst-text.ts";

/** Nodes that render nothing in readme_renderer's output (comments are stripped). */
const INVISIBLE = new Set([
  "comment",
  "empty_comment",
  "target",
  "substitution_definition",
  "invisible",
  "pending_class",
  "system_message",
]);

/** Siblings a transition ignores when checking its position (nodes.transition.ignored_siblings). */
const IGNORED_BY_TRANSITIONS = new Set([
  "title",
  "target",
  "internal_target",
  "substitution_definition",
  "invisible",
  "contents",
  "pending_class",
]);

const BIBLIOGRAPHIC = new Set([
  "author",
  "authors",
  "organization",
  "address",
  "contact",
  "version",
  "revision",
  "status",
  "date",
  "copyright",
  "dedication",
  "abstract",
]);

function walk(node: RstNode, visit: (n: RstNode) => void): void {
  visit(node);
  for (const child of node.children ?? []) walk(child, visit);
}

function resolveReferences(doc: RstDoc): void {
  for (const ref of doc.refs) {
    const found = doc.lookupName(ref.name);
    if (found === "duplicate") {
      doc.report(
        "error",
        ref.line,
        `Duplicate target name, cannot be used as a unique reference: "${ref.name}".`,
      );
    } else if (found === "unknown") {
      doc.report("error", ref.line, `Unknown target name: "${ref.name}".`);
    }
  }
  for (const target of doc.indirect) {
    const seen = new Set([target.name]);
    let name = target.refname;
    for (;;) {
      if (doc.lookupName(name) !== "ok") {
        const why = doc.lookupName(name) === "duplicate" ? "which is a duplicate" : "which does not exist";
        doc.report(
          "error",
          target.line,
          `Indirect hyperlink target "${target.name}" refers to target "${target.refname}", ${why}.`,
        );
        break;
      }
      const next = doc.target(name)?.refname;
      if (next === undefined) break;
      if (seen.has(name)) {
        doc.report(
          "error",
          target.line,
          `Indirect hyperlink target "${target.name}" refers to target "${target.refname}", forming a circular reference.`,
        );
        break;
      }
      seen.add(name);
      name = next;
    }
  }
  if (doc.anonymousRefs.length !== doc.anonymousTargets.length) {
    doc.report(
      "error",
      doc.anonymousRefs[0] ?? doc.anonymousTargets[0]!,
      `Anonymous hyperlink mismatch: ${doc.anonymousRefs.length} references but ${doc.anonymousTargets.length} targets.`,
    );
  }
  // transforms.references.Footnotes: a [#label]_ without its footnote takes a number like [#]_.
  const numbered = doc.autoFootnoteRefs.filter(
    (r) => r.label === undefined || !doc.autoFootnoteLabels.has(r.label),
  );
  if (numbered.length > doc.autoFootnotes) {
    const n = doc.autoFootnotes;
    doc.report(
      "error",
      numbered[n]!.line,
      `Too many autonumbered footnote references: only ${n} corresponding footnote${n > 1 ? "s" : ""} available.`,
    );
  }
  if (doc.symbolFootnoteRefs.length > doc.symbolFootnotes) {
    doc.report(
      "error",
      doc.symbolFootnoteRefs[doc.symbolFootnotes]!,
      `Too many symbol footnote references: only ${doc.symbolFootnotes} corresponding footnotes available.`,
    );
  }
}

function resolveSubstitutions(doc: RstDoc): void {
  const lower = new Set([...doc.substitutionDefs.keys()].map((k) => normalizeName(k)));
  for (const ref of doc.substitutionRefs) {
    if (doc.substitutionDefs.has(ref.name) || lower.has(normalizeName(ref.name))) continue;
    doc.report("error", ref.line, `Undefined substitution referenced: "${ref.name}".`);
  }
}

/** misc.Transitions: not first or last in a section or the document, never two in a row. */
function checkTransitions(doc: RstDoc, container: RstNode, isLastChain: boolean): void {
  const children = (container.children ?? []).filter(
    (c) => c.kind !== "comment" && c.kind !== "empty_comment",
  );
  children.forEach((node, index) => {
    if (node.kind === "section") checkTransitions(doc, node, isLastChain && index === children.length - 1);
    if (node.kind !== "transition") return;
    const before = children.slice(0, index).filter((c) => !IGNORED_BY_TRANSITIONS.has(c.kind));
    const after = children.slice(index + 1).filter((c) => !IGNORED_BY_TRANSITIONS.has(c.kind));
    if (before.length === 0) {
      doc.report("warning", node.line, `Transition at the start of the ${container.kind}.`);
    } else if (children[index - 1]?.kind === "transition") {
      doc.report("warning", node.line, "At least one body element should separate transitions.");
    }
    if (after.length === 0 && isLastChain)
      doc.report("warning", node.line, "Transition at the end of the document.");
  });
}

/** frontmatter.DocInfo: a leading field list's bibliographic fields need one paragraph. */
function checkDocinfo(doc: RstDoc, root: RstNode): void {
  const first = (root.children ?? []).find((c) => !INVISIBLE.has(c.kind) && c.kind !== "internal_target");
  if (first?.kind !== "field_list") return;
  const topics = new Set<string>();
  for (const field of first.fields ?? []) {
    const name = normalizeName(field.name);
    if (!BIBLIOGRAPHIC.has(name)) continue;
    if (field.body.length === 0) {
      doc.report("warning", field.line, `Cannot extract empty bibliographic field "${field.name}".`);
    } else if (name === "dedication" || name === "abstract") {
      if (topics.has(name)) doc.report("warning", field.line, `There can only be one "${field.name}" field.`);
      topics.add(name);
    } else if (name === "authors") {
      const ok =
        field.body.length === 1 && (field.body[0] === "paragraph" || field.body[0] === "bullet_list");
      if (!ok) doc.report("warning", field.line, `Cannot extract "${field.name}" from bibliographic field.`);
    } else if (field.body.length !== 1 || field.body[0] !== "paragraph") {
      const single = field.body.length === 1 && field.body[0] === "enumerated_list";
      if (!single) {
        doc.report(
          "warning",
          field.line,
          `Bibliographic field "${field.name}"\nmust contain a single <paragraph>.`,
        );
      }
    }
  }
}

/** misc.ClassAttribute: a `.. class::` without content applies to the next visible element. */
function checkPendingClass(doc: RstDoc, root: RstNode): void {
  const order: RstNode[] = [];
  walk(root, (n) => order.push(n));
  order.forEach((node, index) => {
    if (node.kind !== "pending_class") return;
    const target = order.slice(index + 1).find((n) => !INVISIBLE.has(n.kind) && n.kind !== "internal_target");
    if (!target) doc.report("error", node.line, 'No suitable element following "class" directive');
  });
}

/** True when readme_renderer would produce no HTML ("No content rendered from RST source."). */
export function rendersEmpty(root: RstNode): boolean {
  const hasSections = (root.children ?? []).some((c) => c.kind === "section");
  let visible = false;
  walk(root, (n) => {
    if (n === root || INVISIBLE.has(n.kind)) return;
    if (n.kind === "contents" && !hasSections) return;
    visible = true;
  });
  return !visible;
}

/** Runs the post-parse checks of docutils' transforms on a parsed document. */
export function resolveDocument(doc: RstDoc, root: RstNode): void {
  resolveSubstitutions(doc);
  resolveReferences(doc);
  checkTransitions(doc, root, true);
  checkDocinfo(doc, root);
  checkPendingClass(doc, root);
}
