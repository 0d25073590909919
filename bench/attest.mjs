#!/usr/bin/env node
// Attestations, side by side in one run against the same loopback Sigstore stand-in
// (test/helpers/sigstore.ts): `slipway attest` of 40 files versus pypi-attestations (Python,
// sigstore-python: the code gh-action-pypi-publish runs), wall time and Sigstore round trips; then
// `slipway publish` of 40 files to the embedded index with trusted publishing and attestations
// versus without them (the overhead of attesting, in one run).
//   node bench/attest.mjs            (after `npm run build` and `npm run peers`)
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeDists } from "../test/helpers/dists.ts";
import { startTrustedWorld } from "../test/helpers/trusted-world.ts";
import { fmt, median, peersPython, timeOnceAsync } from "./lib.mjs";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const ORACLE = fileURLToPath(new URL("../test/helpers/attest_oracle.py", import.meta.url));
const FILES = 40;
const RUNS = 3;
const REPO = "octo/bench";
const WORKFLOW = "release.yml";

/** 40 distributions: 20 releases' wheel and sdist, each a few KiB. */
function makeDists(dir, project, major = 1) {
  const all = [];
  for (let i = 0; all.length < FILES; i++) {
    const d = join(dir, `r${i}`);
    mkdirSync(d, { recursive: true });
    for (const f of writeDists(d, { name: project, version: `${major}.0.${i}` }).all) all.push(f);
  }
  return all.slice(0, FILES);
}

export async function benchAttest() {
  const work = mkdtempSync(join(tmpdir(), "slipway-bench-attest-"));
  const world = await startTrustedWorld({
    root: work,
    projects: ["bench-with", "bench-without"],
    repository: REPO,
    workflow: WORKFLOW,
  });
  const { issuer, sigstore, index } = world;
  const sigFlags = world.sigstoreArgs();
  const token = () => issuer.sign(issuer.github({ repository: REPO, workflow: WORKFLOW, aud: "sigstore" }));
  const rows = [];
  try {
    // 1. attest 40 files: slipway vs pypi-attestations, fresh files each run.
    const ours = [];
    const theirs = [];
    let trips;
    for (let run = 0; run < RUNS; run++) {
      const a = makeDists(join(work, `ours-${run}`), "bench-attest");
      const before = sigstore.counts();
      const r = await timeOnceAsync([process.execPath, CLI, "attest", ...a, ...sigFlags], {
        env: { PATH: process.env.PATH, HOME: work, SIGSTORE_ID_TOKEN: token() },
      });
      if (r.status !== 0) throw new Error(`slipway attest failed: ${r.stderr}`);
      const after = sigstore.counts();
      trips = { fulcio: after.fulcio - before.fulcio, rekor: after.rekor - before.rekor };
      ours.push(r.ms);
      const b = makeDists(join(work, `theirs-${run}`), "bench-attest");
      const p = await timeOnceAsync(
        [
          peersPython(),
          ORACLE,
          "sign",
          "--trust-root",
          sigstore.trustedRootPath,
          "--fulcio",
          sigstore.fulcioUrl,
          "--rekor",
          sigstore.rekorUrl,
          "--token",
          token(),
          ...b,
        ],
        { env: { PATH: process.env.PATH, HOME: work } },
      );
      if (p.status !== 0) throw new Error(`pypi-attestations failed: ${p.stderr}`);
      theirs.push(p.ms);
    }
    // A re-run over attested files: everything verified and kept, no round trip.
    const again = makeDists(join(work, "rerun"), "bench-attest");
    const env = { PATH: process.env.PATH, HOME: work, SIGSTORE_ID_TOKEN: token() };
    await timeOnceAsync([process.execPath, CLI, "attest", ...again, ...sigFlags], { env });
    const before = sigstore.counts();
    const rerun = await timeOnceAsync([process.execPath, CLI, "attest", ...again, ...sigFlags], { env });
    const rerunTrips = sigstore.counts().rekor - before.rekor + sigstore.counts().fulcio - before.fulcio;
    rows.push(
      `attest ${FILES} files     slipway ${fmt(median(ours))} ms (Fulcio ${trips.fulcio}, Rekor ${trips.rekor} round trips)   pypi-attestations ${fmt(median(theirs))} ms   ratio ${(median(theirs) / median(ours)).toFixed(1)}x`,
      `attest re-run (all kept) slipway ${fmt(rerun.ms)} ms, ${rerunTrips} round trips`,
    );

    // 2. publish 40 files with trusted publishing, with and without attestations.
    const ghEnv = world.env();
    const publish = (files, extra) =>
      timeOnceAsync(
        [
          process.execPath,
          CLI,
          "publish",
          ...files,
          "--to",
          index.uploadUrl,
          "--check-url",
          index.simpleUrl,
          "--trusted-publishing",
          "always",
          ...extra,
        ],
        { env: ghEnv },
      );
    const withMs = [];
    const withoutMs = [];
    for (let run = 0; run < RUNS; run++) {
      const w = await publish(makeDists(join(work, `pw-${run}`), "bench-with", run + 1), sigFlags);
      if (w.status !== 0) throw new Error(`publish with attestations failed: ${w.stderr}`);
      withMs.push(w.ms);
      const o = await publish(makeDists(join(work, `po-${run}`), "bench-without", run + 1), [
        "--attestations",
        "never",
      ]);
      if (o.status !== 0) throw new Error(`publish without attestations failed: ${o.stderr}`);
      withoutMs.push(o.ms);
    }
    rows.push(
      `publish ${FILES} files (TP)  with attestations ${fmt(median(withMs))} ms   without ${fmt(median(withoutMs))} ms   overhead ${fmt(median(withMs) - median(withoutMs))} ms (${((median(withMs) / median(withoutMs) - 1) * 100).toFixed(0)}%)`,
    );
  } finally {
    await world.close();
    rmSync(work, { recursive: true, force: true });
  }
  return {
    title: `Attestations (${FILES} files, loopback Sigstore; medians of ${RUNS})`,
    rows,
    ratio: "ratio = pypi-attestations time / slipway time",
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchAttest();
  console.log(`## ${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
