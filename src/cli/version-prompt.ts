/**
 * The question `slipway release` and `slipway version bump` ask on a terminal when no bump is
 * given: the current version, the numbered candidates (the conventional commits' suggestion as
 * the default), a typed version checked as it is read, then an optional comment. The choices and
 * the reading of a reply are pure (core/version/choices.ts); this file renders and reads lines.
 */
import { createInterface } from "node:readline";
import type { VersionRequest } from "../ops/version.ts";
import type { VersionMenuRead } from "../ops/version-menu.ts";
import { parseVersionAnswer } from "../ops/version-menu.ts";
import type { Style } from "./style.ts";

export type PromptInput = NodeJS.ReadableStream & { isTTY?: boolean };

/** True when a person can answer: input and `output` are terminals and CI is unset or false. */
export function canAsk(
  input: PromptInput,
  output: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const ci = env["CI"];
  return input.isTTY === true && output.isTTY === true && (ci === undefined || ci === "" || ci === "false");
}

/** The menu as shown: current version, why, one numbered line per choice, the typed option. */
export function renderVersionMenu(read: VersionMenuRead, style: Style, heading: string): string {
  const { menu } = read;
  const lines = [style.bold(heading), style.dim(read.why)];
  menu.choices.forEach((c, i) => {
    const mark = i === menu.suggested ? style.green("  (suggested)") : "";
    lines.push(`  ${String(i + 1).padStart(2)}) ${c.version.padEnd(16)} ${c.label}${mark}`);
  });
  const greater = menu.current === undefined ? "" : `, greater than ${menu.current}`;
  lines.push(`  ${menu.choices.length === 0 ? "" : "or "}type a version (PEP 440${greater})`);
  return `${lines.join("\n")}\n`;
}

const TRIES = 5;

/**
 * Asks for the next version (and, when `comment` names where it goes, a comment). Resolves to
 * undefined when the person cancels: an empty reply without a suggestion, end of input, Ctrl-C,
 * or five replies that are not versions.
 */
export async function askNextVersion(
  read: VersionMenuRead,
  options: {
    input: PromptInput;
    output: NodeJS.WritableStream;
    style: Style;
    heading: string;
    /** Where the comment goes (`the release commit message`); no comment is asked without it. */
    comment?: string;
  },
): Promise<{ request: VersionRequest; comment?: string } | undefined> {
  const { input, output, style, heading } = options;
  const rl = createInterface({ input, output, terminal: input.isTTY === true });
  // One line queue for the whole conversation: lines typed ahead are kept, never dropped.
  const lines = rl[Symbol.asyncIterator]();
  rl.on("SIGINT", () => rl.close());
  const ask = async (prompt: string): Promise<string | undefined> => {
    rl.setPrompt(prompt);
    rl.prompt();
    const next = await lines.next();
    return next.done ? undefined : String(next.value);
  };
  try {
    output.write(renderVersionMenu(read, style, heading));
    const { menu } = read;
    const fallback = menu.suggested === undefined ? "empty cancels" : `empty for ${menu.suggested + 1}`;
    const range =
      menu.choices.length === 0 ? "a version" : `1-${menu.choices.length}, a bump kind or a version`;
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const reply = await ask(`Next version (${range}; ${fallback}): `);
      if (reply === undefined) return undefined;
      const answer = parseVersionAnswer(menu, reply);
      if (answer.kind === "cancel") return undefined;
      if (answer.kind === "invalid") {
        output.write(`${style.red(answer.error)}\n`);
        continue;
      }
      output.write(`${style.dim(`→ ${answer.choice.version} (${answer.choice.label})`)}\n`);
      if (options.comment === undefined) return { request: answer.choice.request };
      const words = await ask(`Comment for ${options.comment} (optional, empty for none): `);
      if (words === undefined) return undefined;
      return words.trim() === ""
        ? { request: answer.choice.request }
        : { request: answer.choice.request, comment: words.trim() };
    }
    return undefined;
  } finally {
    rl.close();
  }
}
