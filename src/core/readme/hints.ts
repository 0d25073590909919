/**
 * How to fix each kind of reStructuredText problem, keyed by docutils' message text, and
 * signs that a text is written in another markup than the one it will be rendered as.
 */
import { isSphinxDirective, isSphinxRole } from "./rst-names.ts";

const HINTS: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [
    /^Title (underline|overline) too short/,
    () =>
      "Make the title's underline (and overline) at least as long as the title; wide characters such as CJK and emoji count as two.",
  ],
  [
    /^Unknown interpreted text role "([^"]+)"/,
    (m) =>
      isSphinxRole(m[1]!)
        ? `:${m[1]}: is a Sphinx role; PyPI renders with plain docutils. Use plain text, \`\`literal\`\` or a link \`text <https://...>\`__ instead.`
        : `Use a docutils role (code, math, sub, sup, emphasis, strong, literal, pep, rfc...) or define it first with \`.. role:: ${m[1]}\`.`,
  ],
  [
    /^Unknown directive type "([^"]+)"/,
    (m) =>
      isSphinxDirective(m[1]!)
        ? `\`.. ${m[1]}::\` is a Sphinx directive; PyPI renders with plain docutils. Remove it from the long description or replace it with a docutils one (note, warning, code, image...).`
        : "Use a docutils directive (note, warning, code, image, figure, contents...); the name is case-insensitive but must exist.",
  ],
  [
    /directive disabled\.|File and URL access deactivated|raw \(and derived\) roles disabled/,
    () =>
      "PyPI disables raw HTML and file inclusion (raw, include, :file:). Put the content itself in the description.",
  ],
  [
    /^Unexpected indentation/,
    () =>
      "An indented line starts a new block: add a blank line before it, or indent continuation lines exactly like the first line of the item.",
  ],
  [
    /ends without a blank line/,
    () => "Add a blank line after the list, quote, directive or target before the next unindented paragraph.",
  ],
  [
    /^Inline \S+ start-string without end-string/,
    () => "Close the inline markup (*, **, ``, `, |) or escape the character with a backslash, e.g. \\*.",
  ],
  [
    /^(Unknown target name|Duplicate target name|Indirect hyperlink target)/,
    () =>
      "Define the target (`.. _name: https://...`), make the name unique, or write an anonymous link `text <https://...>`__ (two underscores).",
  ],
  [
    /^Duplicate explicit target name/,
    () =>
      "Two targets share a name with different URLs: rename one, or use anonymous links `text <https://...>`__.",
  ],
  [
    /^Anonymous hyperlink mismatch/,
    () =>
      "Each `text`__ needs one anonymous target (`__ https://...`) in the same order, or use `text <https://...>`__.",
  ],
  [
    /^(Malformed table|Blank line required after table)/,
    () =>
      "Align every row with the table's borders (grid tables: same width, + and | at the edges; simple tables: text inside the columns) and leave a blank line after the table.",
  ],
  [
    /^Undefined substitution referenced: "([^"]+)"/,
    (m) => `Define it, e.g. \`.. |${m[1]}| image:: https://...\`, or escape the bars with backslashes.`,
  ],
  [
    /^(Unexpected section title|Inconsistent title style)/,
    () =>
      "Titles must start at the left margin outside lists, quotes and directives, and a new adornment style may only go one level deeper.",
  ],
  [
    /Transition/,
    () => "A transition (----) must sit between two paragraphs, not at the start or end of a section.",
  ],
  [
    /^Literal block expected/,
    () => "Indent the code after `::` and separate it with a blank line, or drop the `::`.",
  ],
  [
    /^Content block expected/,
    () => "Give the directive an indented content block, separated by a blank line.",
  ],
  [
    /^Error in "[^"]+" directive/,
    () => "Check the directive's arguments and :options: against the docutils documentation.",
  ],
];

/** The hint for a docutils problem message, or undefined when none is specific. */
export function rstHint(message: string): string | undefined {
  for (const [re, hint] of HINTS) {
    const m = re.exec(message);
    if (m) return hint(m);
  }
  return undefined;
}

/** Signs that a text is reStructuredText, for text/plain descriptions shown as raw markup. */
export function rstEvidence(text: string): string | undefined {
  const signs: [RegExp, string][] = [
    [/^\S.*\n([=\-~^"'`#*+])\1{3,}\s*$/m, "section underlines"],
    [/^\.\. [\w-]+::/m, "directives (.. name::)"],
    [/`[^`\n]+ <[^>\n]+>`__?/, "links `text <url>`_"],
  ];
  const found = signs.filter(([re]) => re.test(text)).map(([, what]) => what);
  return found.length > 0 ? found.join(", ") : undefined;
}
