#!/usr/bin/env node
// Benchmark: `slipway scan secrets` side by side with detect-secrets (PyPI, the peers venv) and
// secretlint (npm, installed on demand into .cache/bench-npm, never a dependency of slipway),
// in one run, on the labelled corpus of scripts/scan-corpus.mjs:
//   tree     HEAD's files, exported into a plain directory all three tools scan;
//   history  every blob reachable from the refs, once: slipway `--history` on the repository
//            (when this build has it), and, for all three tools, the blobs written out once each
//            (`git cat-file --batch`) into a directory, since neither peer reads git history.
// Reports wall time (median of --runs, interleaved), the ratio to slipway, MB/s of content, peak
// RSS (GNU time: the largest process of the tree, not the sum of detect-secrets' workers), and
// each tool's recall on the manifest's planted secrets: by line, and by file.
//   node bench/secrets.mjs [--runs N]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { scanCorpus } from "../test/helpers/scan-corpus.ts";
import { compare, fmt, peersPython, timeWithRss } from "./lib.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SECRETLINT = "13.0.6";
const runsAt = process.argv.indexOf("--runs");
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3;

/** Directory names slipway's walk skips outside git (build output, egg-info): renamed, so every tool reads the same files. */
const SKIPPED =
  /^(?:build|dist|\.tox|\.nox|\.venv|venv|node_modules|__pycache__|\.git|\.hg|\.svn|.*\.egg-info)$/;
const plainPath = (path) =>
  path
    .split("/")
    .map((part, i, all) => (i < all.length - 1 && SKIPPED.test(part) ? `${part}_` : part))
    .join("/");

/** secretlint and its recommended preset, pinned, under .cache/bench-npm (npm install on first use). */
function secretlint() {
  const prefix = join(root, ".cache", "bench-npm", `secretlint-${SECRETLINT}`);
  const bin = join(prefix, "node_modules", "secretlint", "bin", "secretlint.js");
  if (!existsSync(join(prefix, ".complete"))) {
    rmSync(prefix, { recursive: true, force: true });
    execFileSync(
      "npm",
      [
        "install",
        "--prefix",
        prefix,
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--loglevel=error",
        `secretlint@${SECRETLINT}`,
        `@secretlint/secretlint-rule-preset-recommend@${SECRETLINT}`,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    writeFileSync(join(prefix, ".complete"), "ok\n");
  }
  const rc = join(prefix, "secretlintrc.json");
  writeFileSync(rc, JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] }));
  return { bin, rc };
}

/** HEAD's files into `dir`. */
export function exportTree(repo, dir) {
  const files = execFileSync("git", ["ls-tree", "-r", "-z", "--format=%(objectname) %(path)", "HEAD"], {
    cwd: repo,
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean)
    .map((line) => ({ blob: line.slice(0, 40), path: line.slice(41) }));
  return writeBlobs(repo, dir, files, (f) => plainPath(f.path));
}

/** Every blob reachable from the refs, once, at `dir/<blob>/<first path it was seen at>`. */
export function exportHistory(repo, dir) {
  const listed = execFileSync("git", ["rev-list", "--objects", "--all"], {
    cwd: repo,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const typed = execFileSync("git", ["cat-file", "--batch-check=%(objecttype) %(objectname) %(rest)"], {
    cwd: repo,
    input: listed,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const files = typed
    .split("\n")
    .filter((l) => l.startsWith("blob "))
    .map((l) => ({ blob: l.slice(5, 45), path: l.slice(46) }));
  return writeBlobs(repo, dir, files, (f) => `${f.blob}/${plainPath(f.path)}`);
}

/** Writes the blobs of `files` under `dir` (one `git cat-file --batch`); returns their bytes and where each went. */
function writeBlobs(repo, dir, files, place) {
  const out = execFileSync("git", ["cat-file", "--batch"], {
    cwd: repo,
    input: files.map((f) => f.blob).join("\n"),
    maxBuffer: 1 << 30,
  });
  let at = 0;
  let bytes = 0;
  for (const f of files) {
    const eol = out.indexOf(10, at);
    const size = Number(out.subarray(at, eol).toString("latin1").split(" ")[2]);
    const content = out.subarray(eol + 1, eol + 1 + size);
    at = eol + 1 + size + 1;
    const target = join(dir, place(f));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    bytes += size;
  }
  return { files: files.length, bytes };
}

/** Findings as (file relative to the scanned directory, line). */
function findingsOf(tool, stdout, dir) {
  if (tool === "slipway")
    return JSON.parse(stdout).sections[0].findings.map((f) => ({
      file: f.location.file,
      line: f.location.line ?? 0,
      commit: f.location.commit,
    }));
  if (tool === "detect-secrets")
    return Object.entries(JSON.parse(stdout).results).flatMap(([file, hits]) =>
      hits.map((h) => ({ file, line: h.line_number })),
    );
  return JSON.parse(stdout).flatMap((r) =>
    r.messages.map((m) => ({ file: relative(dir, r.filePath), line: m.loc.start.line })),
  );
}

/** Recall on the plants by line and by file; findings away from every planted file and line. */
function recallOf(plants, findings, keyOf) {
  const lines = new Set(findings.map((f) => `${keyOf(f)}:${f.line}`));
  const files = new Set(findings.map((f) => keyOf(f)));
  const byLine = plants.filter((p) => lines.has(`${p.key}:${p.line}`));
  const byFile = plants.filter((p) => files.has(p.key));
  const plantedFiles = new Set(plants.map((p) => p.key));
  return {
    byLine: byLine.length,
    byFile: byFile.length,
    found: plants.filter((p) => lines.has(`${p.key}:${p.line}`)).map((p) => p.name),
    missed: plants.filter((p) => !lines.has(`${p.key}:${p.line}`)).map((p) => p.name),
    elsewhere: findings.filter((f) => !plantedFiles.has(keyOf(f))).length,
  };
}

export async function benchSecrets() {
  const corpus = scanCorpus();
  if (corpus === undefined)
    throw new Error("bench/secrets.mjs: the scan corpus is not built; run `npm run peers`");
  const { repo, manifest } = corpus;
  const work = mkdtempSync(join(tmpdir(), "slipway-bench-secrets-"));
  try {
    const tree = join(work, "tree");
    const blobs = join(work, "history-blobs");
    const treeSize = exportTree(repo, tree);
    const historySize = exportHistory(repo, blobs);
    const node = process.execPath;
    const cli = join(root, "dist", "cli.js");
    const detectSecrets = join(dirname(peersPython()), "detect-secrets");
    const lint = secretlint();
    const hasHistory = spawnSync(node, [cli, "scan", "secrets", "--help"], {
      encoding: "utf8",
    }).stdout.includes("--history");
    const tools = (dir) => [
      { name: "slipway", argv: [node, cli, "scan", "secrets", "--json", dir] },
      { name: "detect-secrets", argv: [detectSecrets, "scan", "--all-files"], options: { cwd: dir } },
      {
        name: "secretlint",
        argv: [node, lint.bin, "**/*", "--no-gitignore", "--format", "json", "--secretlintrc", lint.rc],
        options: { cwd: dir },
      },
    ];
    const cases = [
      {
        title: `tree (HEAD: ${treeSize.files} files, ${fmt(treeSize.bytes / 1e6, 2)} MB)`,
        bytes: treeSize.bytes,
        dir: tree,
        commands: tools(tree),
        plants: manifest.planted.filter((p) => p.inTree).map((p) => ({ ...p, key: plainPath(p.path) })),
        gaps: manifest.gaps.filter((g) => g.inTree).map((g) => ({ ...g, key: plainPath(g.path) })),
        keyOf: (f) => f.file,
      },
      {
        title: `history (${manifest.commits.length + 1} commits: ${historySize.files} unique blobs, ${fmt(historySize.bytes / 1e6, 2)} MB)`,
        bytes: historySize.bytes,
        dir: blobs,
        commands: [
          ...(hasHistory
            ? [
                {
                  name: "slipway --history",
                  argv: [node, cli, "scan", "secrets", "--history", "--json", repo],
                },
              ]
            : []),
          ...tools(blobs).map((c) => ({ ...c, name: `${c.name} (blobs dir)` })),
        ],
        plants: manifest.planted.map((p) => ({ ...p, key: p.blob })),
        gaps: manifest.gaps.map((g) => ({ ...g, key: g.blob })),
        // A history finding names its commit: its blob is commit:path. A blobs-dir path starts with the blob.
        keyOf: (f) =>
          f.commit !== undefined
            ? execFileSync("git", ["rev-parse", `${f.commit}:${f.file}`], {
                cwd: repo,
                encoding: "utf8",
              }).trim()
            : f.file.slice(0, 40),
      },
    ];
    const rows = [];
    for (const c of cases) {
      const timed = compare(c.commands, RUNS);
      const base = timed[0].median;
      rows.push(
        `\n### ${c.title}`,
        "| tool | median | ratio | MB/s | peak RSS | recall (line) | recall (file) | gaps found | findings elsewhere | missed |",
        "|---|---|---|---|---|---|---|---|---|---|",
      );
      for (const [i, command] of c.commands.entries()) {
        const r = spawnSync(command.argv[0], command.argv.slice(1), {
          encoding: "utf8",
          maxBuffer: 1 << 30,
          ...command.options,
        });
        const tool = command.name.split(" ")[0];
        const found = findingsOf(tool, r.stdout, c.dir);
        const recall = recallOf(c.plants, found, c.keyOf);
        const gaps = recallOf(c.gaps, found, c.keyOf);
        const rss = timeWithRss(command.argv, command.options).rssMiB;
        const ms = timed[i].median;
        rows.push(
          `| ${command.name} | ${fmt(ms, 0)} ms | ${fmt(ms / base, 2)}x | ${fmt(c.bytes / 1e6 / (ms / 1000), 1)} | ${fmt(rss, 0)} MiB | ` +
            `${recall.byLine}/${c.plants.length} | ${recall.byFile}/${c.plants.length} | ${gaps.found.join(", ") || "—"} | ${recall.elsewhere} | ${recall.missed.join(", ") || "—"} |`,
        );
      }
    }
    return {
      title: `secret scan: slipway vs detect-secrets 1.5.0 vs secretlint ${SECRETLINT} (median of ${RUNS})`,
      rows,
      ratio: "ratio: the tool's median over the first row's (above 1: slower than slipway)",
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchSecrets();
  console.log(`## ${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
