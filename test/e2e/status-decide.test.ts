/**
 * `slipway status diff` and `slipway status decide` as processes: documents in real files and on
 * standard input, the old one fetched from a loopback node:http server (deadline, size cap,
 * status), the policy from a real pyproject.toml, the exit codes CI reads, the notes file, and
 * bad documents refused with the file and JSON path named and nothing written.
 *
 * The commands are run from their modules (src/cli/commands/status-*.ts) until the lead
 * registers them under `slipway status`; then RUN can become dist/cli.js with "status", verb.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { dep, doc, secret } from "../helpers/status-docs.ts";

const scratch = mkdtempSync(join(tmpdir(), "slipway-status-decide-"));
const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `slipway status VERB ARGS` in the scratch directory, `input` on standard input. */
function status(verb: "diff" | "decide", args: string[], input = "", cwd = scratch): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "status", verb, ...args], {
      cwd,
      env: { PATH: process.env["PATH"] ?? "", HOME: scratch, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const older = doc("2026-12-01", [
  dep("GHSA-gone", "high", { pkg: "urllib3" }),
  dep("GHSA-wait", "critical", { pkg: "lxml", fixedIn: null }),
]);
const newer = doc("2026-12-07", [
  dep("GHSA-wait", "critical", { pkg: "lxml", fixedIn: "5.3.1" }),
  dep("GHSA-jinja", "high", { pkg: "jinja2", fixedIn: "3.1.6" }),
]);
const holdOnly = doc("2026-12-07", [
  dep("GHSA-wait", "critical", { pkg: "lxml", fixedIn: null }),
  dep("GHSA-new", "critical", { pkg: "pyyaml", fixedIn: null }),
]);
const write = (name: string, value: unknown) => {
  const path = join(scratch, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return path;
};

let server: Server;
let base = "";
const served = new Map<string, (res: import("node:http").ServerResponse) => void>();
before(async () => {
  write("old.json", older);
  write("new.json", newer);
  write("hold.json", holdOnly);
  server = createServer((req, res) => {
    const handler = served.get(req.url ?? "");
    if (handler === undefined) {
      res.writeHead(404).end("no");
      return;
    }
    handler(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
  served.set("/site/index.json", (res) =>
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(older)),
  );
  served.set("/moved", (res) => res.writeHead(302, { location: "/site/index.json" }).end());
  served.set("/drip", (res) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write(" "), 100);
    res.on("close", () => clearInterval(timer));
  });
  served.set("/declared", (res) => {
    res.writeHead(200, { "content-length": String(64 * 1024 * 1024) });
    res.write("{");
  });
  served.set("/huge", (res) => {
    res.writeHead(200);
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 40 && res.write(chunk)) sent += 1;
      if (sent < 40) res.once("drain", pump);
      else res.end();
    };
    pump();
  });
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

test("diff: text, JSON and Markdown of two files; NEW from standard input", async () => {
  const text = await status("diff", ["old.json", "new.json"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Security status of demo: 2026-12-01T06:00:00Z → 2026-12-07T06:00:00Z/);
  assert.match(
    text.stdout,
    /new \(1\)\n\s+high\s+GHSA-jinja in jinja2 1\.0\.0 \(runtime\), fixed in 3\.1\.6/,
  );
  assert.match(text.stdout, /fix-available \(1\)\n\s+critical\s+GHSA-wait in lxml/);
  assert.match(text.stdout, /resolved \(1\)\n\s+high\s+GHSA-gone/);

  const json = await status("diff", ["old.json", "-", "--json"], JSON.stringify(newer));
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.type, "status-diff");
  assert.deepEqual(parsed.counts, {
    new: 1,
    resolved: 1,
    "severity-changed": 0,
    "fix-available": 1,
    "ignore-expired": 0,
    unchanged: 0,
  });

  const md = await status("diff", ["old.json", "new.json", "--format", "markdown"]);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^## Security status of demo\n/);
  assert.match(
    md.stdout,
    /### Fix now available \(1\)\n\n- \[GHSA-wait\]\(https:\/\/osv\.dev\/vulnerability\/GHSA-wait\)/,
  );
});

test("diff --from-url: the published document over loopback HTTP (redirect followed)", async () => {
  const direct = await status("diff", ["--from-url", `${base}/site/index.json`, "new.json", "--json"]);
  assert.equal(direct.code, 0, direct.stderr);
  assert.equal(JSON.parse(direct.stdout).from, "2026-12-01T06:00:00Z");
  const moved = await status("diff", ["--from-url", `${base}/moved`, "-"], JSON.stringify(newer));
  assert.equal(moved.code, 0, moved.stderr);
  assert.match(moved.stdout, /new \(1\)/);
});

test("diff --from-url: a missing page, a dripping server, an endless body end in bounded time", async () => {
  const missing = await status("diff", ["--from-url", `${base}/nothing.json`, "new.json"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nothing\.json: answered 404/);

  const started = Date.now();
  const drip = await status("diff", ["--from-url", `${base}/drip`, "new.json", "--timeout", "1"]);
  assert.equal(drip.code, 1);
  assert.match(drip.stderr, /no complete answer within the 1\.0 s deadline/);
  assert.ok(Date.now() - started < 8000, "the deadline held");

  const declared = await status("diff", ["--from-url", `${base}/declared`, "new.json"]);
  assert.equal(declared.code, 1);
  assert.match(declared.stderr, /larger than 16777216 bytes \(67108864\)/);

  const huge = await status("diff", ["--from-url", `${base}/huge`, "new.json"]);
  assert.equal(huge.code, 1);
  assert.match(huge.stderr, /larger than 16777216 bytes/);
});

test("decide: the exit code per decision, the justification, the notes file", async () => {
  const now = await status("decide", ["old.json", "new.json", "--notes", "security.md"]);
  assert.equal(now.code, 10, now.stderr);
  assert.match(now.stdout, /^release-now\n\nRelease demo now \(published: 1\.0\.0\): /);
  assert.match(now.stdout, /GHSA-jinja.*jinja2 1\.0\.0.*runtime-fixed → release-now/s);
  assert.match(now.stdout, /GHSA-wait.*now has a fix/s);
  assert.equal(
    readFileSync(join(scratch, "security.md"), "utf8"),
    "### Security\n\n- bumps jinja2 to 3.1.6 (GHSA-jinja, high)\n- bumps lxml to 5.3.1 (GHSA-wait, critical)\n- moves off urllib3 1.0.0 (GHSA-gone, high)\n",
  );

  const hold = await status("decide", ["old.json", "hold.json", "--json"]);
  assert.equal(hold.code, 12, hold.stderr);
  const body = JSON.parse(hold.stdout);
  assert.equal(body.decision, "hold");
  assert.equal(body.exit, 12);
  assert.match(body.justification, /GHSA-new.*pyyaml.*no fix known/);
  // The hold outranks the resolved urllib3 advisory, whose note is still there for the release that comes.
  assert.equal(body.releaseNotes, "### Security\n\n- moves off urllib3 1.0.0 (GHSA-gone, high)\n");
  assert.equal(body.reasons.find((r: { id: string }) => r.id === "GHSA-new").rule, "runtime-unfixed");

  const same = await status("decide", ["new.json", "new.json"]);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /^no-action\n/);

  const leak = write("leak.json", doc("2026-12-07", [secret("pypi-upload-token", "wheel")]));
  const shipped = await status("decide", ["new.json", leak]);
  assert.equal(shipped.code, 10);
  assert.match(shipped.stdout, /pypi-upload-token/);
});

test("decide: the project's policy table overrides a default; a bad one is a config error, nothing written", async () => {
  const project = mkdtempSync(join(scratch, "project-"));
  writeFileSync(
    join(project, "pyproject.toml"),
    '[project]\nname = "demo"\nversion = "1.0.0"\n\n[tool.slipway.security.policy]\nruntime-unfixed = { critical = "release-recommended" }\n',
  );
  const rec = await status("decide", ["old.json", "hold.json", "--project", project]);
  assert.equal(rec.code, 11, rec.stderr);
  assert.match(rec.stdout, /^release-recommended\n/);

  writeFileSync(
    join(project, "pyproject.toml"),
    '[tool.slipway.security.policy]\nruntime-fixed = "ship-it"\n',
  );
  const bad = await status(
    "decide",
    [join(scratch, "old.json"), join(scratch, "new.json"), "--notes", "never.md"],
    "",
    project,
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /\[tool\.slipway\.security\.policy\] runtime-fixed is "ship-it", not a decision/);
  assert.equal(existsSync(join(project, "never.md")), false);
});

test("bad documents: another schema, not JSON, truncated, missing; the file and JSON path named, nothing written", async () => {
  const text = JSON.stringify(newer);
  const cases: [string, string, RegExp][] = [
    [
      "v2.json",
      text.replace('"schema":1', '"schema":2'),
      /v2\.json: .*\$\.schema: schema 2; this slipway reads SecurityStatus schema 1/,
    ],
    ["junk.json", "<html>oops</html>", /junk\.json is not JSON/],
    ["cut.json", text.slice(0, 200), /cut\.json is not JSON/],
    [
      "level.json",
      text.replace('"level":"critical"', '"level":"dire"'),
      /level\.json: .*\$\.findings\[0\]\.level: not one of/,
    ],
  ];
  for (const [name, content, message] of cases) {
    write(name, content);
    const r = await status("decide", ["old.json", name, "--notes", "out.md", "--json"]);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(JSON.parse(r.stdout).type, "error");
    assert.equal(existsSync(join(scratch, "out.md")), false, `${name}: no notes written`);
  }
  const missing = await status("diff", ["old.json", "absent.json"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /absent\.json: no such file/);
  const stdinBad = await status("diff", ["old.json", "-"], '{"schema": 1');
  assert.equal(stdinBad.code, 2);
  assert.match(stdinBad.stderr, /standard input is not JSON/);
  write("other.json", doc("2026-12-07", [], "other-project"));
  const other = await status("diff", ["old.json", "other.json"]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /two projects: demo and other-project/);
  const timeout = await status("diff", [
    "--from-url",
    `${base}/site/index.json`,
    "new.json",
    "--timeout",
    "soon",
  ]);
  assert.equal(timeout.code, 2);
  assert.match(timeout.stderr, /--timeout soon: not a number of seconds/);
  const usage = await status("diff", ["old.json"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /two documents to compare/);
});

test("--help of both commands has examples", async () => {
  for (const verb of ["diff", "decide"] as const) {
    const r = await status(verb, ["--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^Usage: slipway status ${verb} OLD NEW`));
    assert.match(r.stdout, /Examples:\n {2}slipway status/);
    assert.match(r.stdout, /Exit status:/);
  }
});

test("release --security-notes: decide's notes land in the released changelog entry; bad notes change nothing", async () => {
  const { makeReleaseRepo, runRelease } = await import("../helpers/release-repo.ts");
  const { git } = await import("../helpers/git-repo.ts");
  const r = await makeReleaseRepo(scratch, { cache: join(scratch, "cache") });
  try {
    const decided = await status("decide", ["old.json", "new.json", "--notes", join(scratch, "notes.md")]);
    assert.equal(decided.code, 10, decided.stderr);

    const bad = write("bad-notes.md", "### Security\n\n- fine\n\n<script>alert(1)</script>\n");
    const refused = await runRelease(r, [...r.args, "--yes", "--security-notes", bad]);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /bad-notes\.md:5: holds raw HTML/);
    assert.equal(git(r.project, "status", "--porcelain"), "", "nothing changed");
    assert.equal(git(r.project, "tag", "--list", "v0.1.1"), "");

    const run = await runRelease(r, [...r.args, "--yes", "--security-notes", join(scratch, "notes.md")]);
    assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
    const changelog = readFileSync(join(r.project, "CHANGELOG.md"), "utf8");
    assert.match(
      changelog,
      /## \[0\.1\.1\] - \d{4}-\d\d-\d\d\n\n### Fixed\n\n- handle empty input[^\n]*\n\n### Security\n\n- bumps jinja2 to 3\.1\.6 \(GHSA-jinja, high\)\n- bumps lxml to 5\.3\.1 \(GHSA-wait, critical\)\n- moves off urllib3 1\.0\.0 \(GHSA-gone, high\)\n\n## \[0\.1\.0\]/,
    );
  } finally {
    await r.close();
  }
});
