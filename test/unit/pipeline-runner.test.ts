/**
 * The pipeline runner on fake steps in memory: preflight-all-then-mutate, undo in reverse before
 * the commit point and never after it, resume through verify, dry-run plans, and the journal.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { list, matching, string, record as struct } from "../../src/core/stored-shape.ts";
import { SlipwayError } from "../../src/errors.ts";
import { fileJournal, type Journal, type JournalFs, type JournalStore } from "../../src/pipeline/journal.ts";
import { type PipelineEvent, type PipelineResult, runPipeline } from "../../src/pipeline/runner.ts";
import {
  NoPublicEffectError,
  needRecord,
  recordOf,
  type Step,
  type StepContext,
  type StepProblem,
  type StepTable,
  type Verdict,
} from "../../src/pipeline/steps.ts";

/** The shape of a release: two local edits, two safe steps, then the commit point. */
const SHAPE = [
  { id: "edit", public: false, dryRun: "plan" },
  { id: "build", public: false, dryRun: "run" },
  { id: "stage", public: false, dryRun: "run" },
  { id: "commit", public: false, dryRun: "plan" },
  { id: "publish", public: true, dryRun: "plan" },
  { id: "push", public: true, dryRun: "plan" },
] as const;
const IDS = SHAPE.map((s) => s.id);

/** What every fake step records: a hash, the input it saw, and the records before it. */
const fakeRecord = struct({ sha256: string, release: string, saw: list(string) });
type FakeRecord = ReturnType<typeof fakeRecord>;
const FIRST_PUBLIC = 4;

interface Harness {
  table: StepTable<{ release: string }>;
  log: string[];
  failAt: Set<string>;
  problems: Map<string, StepProblem[] | "throw">;
  verdicts: Map<string, Verdict>;
}

function harness(): Harness {
  const log: string[] = [];
  const failAt = new Set<string>();
  const problems = new Map<string, StepProblem[] | "throw">();
  const verdicts = new Map<string, Verdict>();
  const table = SHAPE.map((s): Step<{ release: string }, FakeRecord> => {
    const common = {
      id: s.id,
      title: `Step ${s.id}`,
      public: s.public,
      record: fakeRecord,
      preflight: async () => {
        log.push(`preflight:${s.id}`);
        const found = problems.get(s.id);
        if (found === "throw")
          throw new SlipwayError("exec", `gate for ${s.id} could not start`, { hint: "fix it" });
        return found ?? [];
      },
      run: async (ctx: StepContext<{ release: string }>) => {
        log.push(`run:${s.id}`);
        if (failAt.has(s.id)) throw new Error(`${s.id} broke`);
        return { sha256: `hash-of-${s.id}`, release: ctx.input.release, saw: [...ctx.records.keys()] };
      },
      verify: async (_ctx: unknown, record: FakeRecord) => {
        log.push(`verify:${s.id}`);
        assert.equal(record.sha256, `hash-of-${s.id}`, "verify gets the journaled record");
        return verdicts.get(s.id) ?? "done";
      },
      undo: async (_ctx: unknown, record: FakeRecord) => {
        assert.equal(record.sha256, `hash-of-${s.id}`, "undo gets the step's record");
        log.push(`undo:${s.id}`);
      },
      plan: async () => {
        log.push(`plan:${s.id}`);
        return { would: `do ${s.id}` };
      },
    };
    return s.dryRun === "run" ? { ...common, dryRun: "run" } : { ...common, dryRun: "plan" };
  });
  return { table, log, failAt, problems, verdicts };
}

interface MemoryJournal extends JournalStore {
  stored: Journal | null;
  writes: Journal[];
}

function memoryJournal(initial: Journal | null = null): MemoryJournal {
  const store: MemoryJournal = {
    path: ".slipway/release.json",
    stored: initial,
    writes: [],
    read: async () => (store.stored ? structuredClone(store.stored) : null),
    write: async (journal) => {
      store.stored = structuredClone(journal);
      store.writes.push(structuredClone(journal));
    },
    remove: async () => {
      store.stored = null;
    },
  };
  return store;
}

function clock(): () => number {
  let t = Date.UTC(2026, 0, 1);
  return () => (t += 1000);
}

async function run(h: Harness, journal: JournalStore, extra: { dryRun?: boolean; resume?: boolean } = {}) {
  const events: PipelineEvent[] = [];
  const result = await runPipeline(h.table, {
    input: { release: "demo 1.2.4" },
    journal,
    subject: "demo 1.2.4 → pypi",
    plan: { from: "1.2.3", to: "1.2.4" },
    now: clock(),
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { result, events };
}

const only = (log: string[], kind: string) =>
  log.filter((l) => l.startsWith(`${kind}:`)).map((l) => l.slice(kind.length + 1));
function failed(result: PipelineResult) {
  assert.equal(result.status, "failed");
  return result as Extract<PipelineResult, { status: "failed" }>;
}

describe("preflight", () => {
  test("every step's problems are reported together and nothing runs", async () => {
    const h = harness();
    h.problems.set("build", [
      { id: "clean-tree", severity: "error", message: "tree is dirty", hint: "commit" },
    ]);
    h.problems.set("stage", "throw");
    h.problems.set("push", [
      { id: "remote", severity: "warning", message: "remote is slow", hint: "wait" },
      { id: "branch", severity: "error", message: "not on main", hint: "switch" },
    ]);
    const journal = memoryJournal();
    const { result, events } = await run(h, journal);
    assert.equal(result.status, "blocked");
    assert.deepEqual(
      result.problems.map((p) => [p.step, p.id, p.severity]),
      [
        ["build", "clean-tree", "error"],
        ["stage", "preflight-error", "error"],
        ["push", "remote", "warning"],
        ["push", "branch", "error"],
      ],
    );
    assert.match(
      result.problems[1]!.message,
      /preflight of step "Step stage".*gate for stage could not start/,
    );
    assert.equal(result.problems[1]!.hint, "fix it");
    assert.deepEqual(only(h.log, "preflight"), IDS, "every preflight ran");
    assert.deepEqual(only(h.log, "run"), []);
    assert.deepEqual(events, []);
    assert.equal(journal.writes.length, 0, "the journal is not touched");
  });

  test("warnings alone do not block, and are returned with the result", async () => {
    const h = harness();
    h.problems.set("edit", [{ id: "w", severity: "warning", message: "m", hint: "h" }]);
    const { result } = await run(h, memoryJournal());
    assert.equal(result.status, "done");
    assert.deepEqual(
      result.problems.map((p) => p.id),
      ["w"],
    );
    assert.deepEqual(only(h.log, "run"), IDS);
  });
});

describe("failure at each step", () => {
  for (const [index, id] of IDS.entries()) {
    test(`failure in "${id}" (index ${index})`, async () => {
      const h = harness();
      h.failAt.add(id);
      const journal = memoryJournal();
      const { result, events } = await run(h, journal);
      const f = failed(result);
      assert.equal(f.step, id);
      assert.match(f.error.message, new RegExp(`step "Step ${id}" \\(${id}\\) failed: ${id} broke`));
      assert.ok(f.error instanceof SlipwayError);
      const before = IDS.slice(0, index);
      assert.deepEqual(only(h.log, "run"), [...before, id]);
      assert.ok(events.some((e) => e.type === "step-failed" && e.step === id));
      if (index < FIRST_PUBLIC) {
        assert.deepEqual(only(h.log, "undo"), [...before].reverse(), "finished steps undone in reverse");
        assert.deepEqual(f.undone, [...before].reverse());
        assert.deepEqual(
          events.filter((e) => e.type === "step-undone").map((e) => e.step),
          [...before].reverse(),
        );
        assert.equal(f.resumable, false);
        assert.match(f.next, /nothing was changed/);
        assert.equal(journal.stored, null, "no journal is left once everything is undone");
        assert.deepEqual(
          f.steps.map((s) => s.status),
          IDS.map((s, i) => (i < index ? "undone" : s === id ? "failed" : "pending")),
        );
      } else {
        assert.deepEqual(only(h.log, "undo"), [], "nothing is undone after a public step");
        assert.deepEqual(f.undone, []);
        assert.equal(f.resumable, true);
        assert.match(f.next, new RegExp(`--resume to continue from "Step ${id}"`));
        assert.equal(journal.stored?.status, "failed");
        assert.deepEqual(journal.stored?.failure, { step: id, message: f.error.message });
        assert.deepEqual(
          journal.stored?.steps.map((s) => s.id),
          before,
        );
      }
    });
  }

  test("a failing undo stops the undo and names what is still in effect", async () => {
    const h = harness();
    h.failAt.add("commit");
    const stage = h.table[2]!;
    stage.undo = async () => {
      throw new Error("index gone");
    };
    const journal = memoryJournal();
    const { result, events } = await run(h, journal);
    const f = failed(result);
    assert.equal(f.step, "stage");
    assert.match(f.error.message, /undoing step "Step stage" \(stage\) failed: index gone/);
    assert.deepEqual(only(h.log, "undo"), [], "build is not undone before stage");
    assert.match(f.next, /edit, build, stage are still in effect/);
    assert.ok(events.some((e) => e.type === "step-undo-failed" && e.step === "stage"));
    assert.deepEqual(
      journal.stored?.steps.map((s) => s.id),
      ["edit", "build", "stage"],
      "the journal keeps what is still in effect",
    );
  });
});

describe("the commit point is the first public effect", () => {
  const refusedEverything = (h: Harness, id: string) => {
    const step = h.table.find((s) => s.id === id)!;
    step.run = async () => {
      h.log.push(`run:${id}`);
      throw new NoPublicEffectError(
        new SlipwayError("network", "the index refused every file (403)", { hint: "check the token" }),
      );
    };
  };

  test("a public step that failed with no public effect undoes the private steps before it", async () => {
    const h = harness();
    refusedEverything(h, "publish");
    const journal = memoryJournal();
    const { result } = await run(h, journal);
    const f = failed(result);
    assert.equal(f.step, "publish");
    assert.match(f.error.message, /step "Step publish" \(publish\) failed: the index refused every file/);
    assert.equal(f.error.hint, "check the token");
    const before = IDS.slice(0, FIRST_PUBLIC);
    assert.deepEqual(only(h.log, "undo"), [...before].reverse(), "commit, stage, build, edit undone");
    assert.deepEqual(f.undone, [...before].reverse());
    assert.equal(f.resumable, false);
    assert.match(f.next, /nothing was published/);
    assert.equal(journal.stored, null, "nothing left to resume");
  });

  test("after a public step finished, a later step's 'no public effect' undoes nothing", async () => {
    const h = harness();
    refusedEverything(h, "push");
    const journal = memoryJournal();
    const f = failed((await run(h, journal)).result);
    assert.equal(f.step, "push");
    assert.deepEqual(only(h.log, "undo"), [], "publish happened: nothing is undone");
    assert.equal(f.resumable, true);
    assert.equal(journal.stored?.status, "failed");
  });
});

describe("resume", () => {
  test("after a failure before the commit point there is nothing to resume", async () => {
    const h = harness();
    h.failAt.add("stage");
    const journal = memoryJournal();
    await run(h, journal);
    await assert.rejects(run(harness(), journal, { resume: true }), (e: SlipwayError) => {
      assert.match(e.message, /nothing to resume/);
      return e.code === "usage";
    });
  });

  for (const [index, id] of IDS.entries()) {
    // Before the commit point a failure undoes everything, so the journal to resume from is what a
    // kill (SIGKILL, power loss) leaves: the one written just before the step started.
    const how = index < FIRST_PUBLIC ? "killed" : "failed";
    async function interrupted(): Promise<MemoryJournal> {
      const h = harness();
      h.failAt.add(id);
      const journal = memoryJournal();
      await run(h, journal);
      if (how === "killed") journal.stored = structuredClone(journal.writes.find((w) => w.running === id)!);
      assert.deepEqual(
        journal.stored!.steps.map((s) => s.id),
        IDS.slice(0, index),
      );
      return journal;
    }

    test(`${how} in "${id}": verify done → skipped, the rest runs`, async () => {
      const journal = await interrupted();
      const h = harness();
      const { result, events } = await run(h, journal, { resume: true });
      assert.equal(result.status, "done");
      assert.deepEqual(only(h.log, "verify"), IDS.slice(0, index));
      assert.deepEqual(only(h.log, "run"), IDS.slice(index));
      assert.deepEqual(only(h.log, "preflight"), IDS.slice(index), "only the steps still to run are checked");
      assert.deepEqual(
        events.filter((e) => e.type === "step-skipped").map((e) => e.step),
        IDS.slice(0, index),
      );
      assert.equal(journal.stored?.status, "done");
      assert.deepEqual(
        journal.stored?.steps.map((s) => s.id),
        IDS,
      );
      // Later steps see the records of the journaled ones.
      const last = journal.stored!.steps.at(-1)!.record;
      assert.deepEqual(last["saw"], IDS.slice(0, -1));
    });

    if (index > 0) {
      test(`${how} in "${id}": verify redo → that step runs again`, async () => {
        const journal = await interrupted();
        const h = harness();
        const redo = IDS[index - 1]!;
        h.verdicts.set(redo, "redo");
        const { result } = await run(h, journal, { resume: true });
        assert.equal(result.status, "done");
        assert.deepEqual(only(h.log, "run"), [redo, ...IDS.slice(index)]);
        assert.deepEqual(
          journal.stored?.steps.map((s) => s.id).sort(),
          [...IDS].sort(),
          "journaled once each",
        );
        assert.equal(journal.stored?.steps.length, IDS.length);
      });

      test(`${how} in "${id}": verify conflict → stops, nothing runs or is undone`, async () => {
        const journal = await interrupted();
        const before = structuredClone(journal.stored);
        const h = harness();
        const conflict = IDS[0]!;
        h.verdicts.set(conflict, "conflict");
        const { result, events } = await run(h, journal, { resume: true });
        const f = failed(result);
        assert.equal(f.step, conflict);
        assert.match(f.error.message, /no longer matches reality/);
        assert.equal(f.resumable, false);
        assert.deepEqual(only(h.log, "run"), []);
        assert.deepEqual(only(h.log, "undo"), []);
        assert.deepEqual(only(h.log, "preflight"), [], "a conflict stops before preflight");
        assert.deepEqual(
          events.map((e) => `${e.type}:${e.step}`),
          [`step-failed:${conflict}`],
        );
        assert.deepEqual(journal.stored, before, "the journal is kept as it was");
      });
    }
  }

  test("a resume that fails again before any public step undoes the journaled steps too", async () => {
    const journal = memoryJournal();
    const h1 = harness();
    h1.failAt.add("commit");
    await run(h1, journal);
    // Simulate the kill while "commit" ran.
    journal.stored = structuredClone(journal.writes.find((w) => w.running === "commit")!);
    const h2 = harness();
    h2.failAt.add("commit");
    const f = failed((await run(h2, journal, { resume: true })).result);
    assert.deepEqual(f.undone, ["stage", "build", "edit"]);
    assert.equal(journal.stored, null);
  });

  test("refuses a journal for another subject, and a fresh run over an unfinished one", async () => {
    const journal = memoryJournal();
    const h = harness();
    h.failAt.add("push");
    await run(h, journal);
    await assert.rejects(
      runPipeline(harness().table, {
        input: { release: "x" },
        journal,
        subject: "demo 9.9.9 → pypi",
        now: clock(),
        resume: true,
      }),
      /records "demo 1\.2\.4 → pypi", not "demo 9\.9\.9 → pypi"/,
    );
    await assert.rejects(run(harness(), journal), /an unfinished run of "demo 1\.2\.4 → pypi"/);
    const done = (await run(harness(), journal, { resume: true })).result;
    assert.equal(done.status, "done");
    assert.equal((await run(harness(), journal)).result.status, "done", "a finished journal is replaced");
  });
});

describe("dry run", () => {
  test('runs only the "run" steps, plans the others, undoes at the end, writes no journal', async () => {
    const h = harness();
    const journal = memoryJournal();
    const { result, events } = await run(h, journal, { dryRun: true });
    assert.equal(result.status, "planned");
    assert.deepEqual(only(h.log, "preflight"), IDS);
    assert.deepEqual(only(h.log, "run"), ["build", "stage"]);
    assert.deepEqual(only(h.log, "plan"), ["edit", "commit", "publish", "push"]);
    assert.deepEqual(only(h.log, "undo"), ["stage", "build"]);
    assert.deepEqual(
      result.steps.map((s) => [s.id, s.status, s.plan ?? s.record ?? null]),
      [
        ["edit", "planned", { would: "do edit" }],
        ["build", "undone", null],
        ["stage", "undone", null],
        ["commit", "planned", { would: "do commit" }],
        ["publish", "planned", { would: "do publish" }],
        ["push", "planned", { would: "do push" }],
      ],
    );
    assert.deepEqual(
      events.map((e) => `${e.type}:${e.step}`),
      [
        "step-planned:edit",
        "step-start:build",
        "step-done:build",
        "step-start:stage",
        "step-done:stage",
        "step-planned:commit",
        "step-planned:publish",
        "step-planned:push",
        "step-undone:stage",
        "step-undone:build",
      ],
    );
    const built = events.find((e) => e.type === "step-done" && e.step === "build");
    assert.deepEqual(built?.type === "step-done" && built.record["sha256"], "hash-of-build");
    assert.equal(journal.writes.length, 0);
  });

  test("a failing safe step in a dry run undoes the ones before it", async () => {
    const h = harness();
    h.failAt.add("stage");
    const f = failed((await run(h, memoryJournal(), { dryRun: true })).result);
    assert.equal(f.step, "stage");
    assert.deepEqual(only(h.log, "undo"), ["build"]);
    assert.deepEqual(only(h.log, "plan"), ["edit"]);
  });

  test("--dry-run with --resume is refused", async () => {
    await assert.rejects(
      run(harness(), memoryJournal(), { dryRun: true, resume: true }),
      /cannot be combined/,
    );
  });
});

describe("step table", () => {
  test("a public step that would run in a dry run, or a duplicate id, is refused", async () => {
    const h = harness();
    const publicRun = { ...h.table[4]!, dryRun: "run" } as Step<{ release: string }>;
    await assert.rejects(
      runPipeline([publicRun], {
        input: { release: "x" },
        journal: memoryJournal(),
        subject: "s",
        now: clock(),
      }),
      /public step "publish" cannot run in a dry run/,
    );
    await assert.rejects(
      runPipeline([h.table[0]!, h.table[0]!], {
        input: { release: "x" },
        journal: memoryJournal(),
        subject: "s",
        now: clock(),
      }),
      /the id "edit" appears twice/,
    );
  });
});

describe("journal", () => {
  /** An in-memory file system that logs every operation. */
  function memoryFs(breakRename = false) {
    const files = new Map<string, string>();
    const ops: string[] = [];
    const fs: JournalFs = {
      readFile: async (path) => {
        const text = files.get(path);
        if (text === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return text;
      },
      writeFile: async (path, text) => {
        ops.push(`write ${path}`);
        files.set(path, String(text));
      },
      rename: async (from, to) => {
        ops.push(`rename ${from} ${to}`);
        if (breakRename) throw Object.assign(new Error("EIO"), { code: "EIO" });
        files.set(to, files.get(from)!);
        files.delete(from);
      },
      rm: async (path) => {
        ops.push(`rm ${path}`);
        files.delete(path);
      },
      mkdir: async () => {},
    };
    return { files, ops, fs };
  }

  test("every write is a temp file beside the journal, renamed over it; content as expected", async () => {
    const mem = memoryFs();
    const journal = fileJournal("/p", { fs: mem.fs });
    assert.equal(journal.path, "/p/.slipway/release.json");
    const { result } = await run(harness(), journal);
    assert.equal(result.status, "done");
    const writes = mem.ops.filter((o) => o.startsWith("write"));
    assert.ok(writes.length >= IDS.length);
    for (const [i, op] of mem.ops.entries()) {
      if (!op.startsWith("write")) continue;
      const temp = op.slice("write ".length);
      assert.match(temp, /^\/p\/\.slipway\/\.release\.json\.slipway-[0-9a-f]{12}\.tmp$/);
      assert.equal(mem.ops[i + 1], `rename ${temp} /p/.slipway/release.json`);
    }
    assert.deepEqual([...mem.files.keys()], ["/p/.slipway/release.json"], "no temp file is left");
    const stored = JSON.parse(mem.files.get("/p/.slipway/release.json")!) as Journal;
    assert.deepEqual(
      { ...stored, steps: stored.steps.slice(0, 2) },
      {
        schema: 1,
        subject: "demo 1.2.4 → pypi",
        plan: { from: "1.2.3", to: "1.2.4" },
        status: "done",
        startedAt: "2026-01-01T00:00:01.000Z",
        updatedAt: stored.updatedAt,
        running: null,
        steps: [
          {
            id: "edit",
            finishedAt: stored.steps[0]!.finishedAt,
            record: { sha256: "hash-of-edit", release: "demo 1.2.4", saw: [] },
          },
          {
            id: "build",
            finishedAt: stored.steps[1]!.finishedAt,
            record: { sha256: "hash-of-build", release: "demo 1.2.4", saw: ["edit"] },
          },
        ],
        failure: null,
      },
    );
    assert.deepEqual(
      stored.steps.map((s) => s.id),
      IDS,
    );
    assert.match(stored.updatedAt, /^2026-01-01T00:00:\d\d\.000Z$/);
    assert.ok(stored.steps[0]!.finishedAt < stored.steps[1]!.finishedAt, "times from the injected clock");
    assert.deepEqual(await journal.read(), stored);
  });

  test("a failed rename keeps the previous journal and removes the temp", async () => {
    const mem = memoryFs(true);
    const old: Journal = {
      schema: 1,
      subject: "old",
      plan: null,
      status: "failed",
      startedAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      running: null,
      steps: [],
      failure: null,
    };
    mem.files.set("/p/.slipway/release.json", JSON.stringify(old));
    const journal = fileJournal("/p", { fs: mem.fs });
    await assert.rejects(
      journal.write({ subject: "new" } as Journal),
      (e: SlipwayError) =>
        e.code === "io" && /cannot write the journal \/p\/\.slipway\/release\.json/.test(e.message),
    );
    assert.deepEqual([...mem.files.keys()], ["/p/.slipway/release.json"]);
    assert.equal((await journal.read())?.subject, "old");
  });

  test("a file that is not a journal is refused with a hint", async () => {
    const mem = memoryFs();
    mem.files.set("/p/.slipway/release.json", "{ half");
    await assert.rejects(fileJournal("/p", { fs: mem.fs }).read(), /is not a file slipway wrote: not JSON/);
    assert.equal(await fileJournal("/q", { fs: mem.fs }).read(), null);
  });

  test("a journal is checked field by field: unknown or mistyped fields are refused, naming the field", async () => {
    const mem = memoryFs();
    const journal = fileJournal("/p", { fs: mem.fs });
    await run(harness(), journal);
    const good = JSON.parse(mem.files.get("/p/.slipway/release.json")!) as Record<string, unknown>;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, hook: "rm -rf ~" }, /release\.json is not a file slipway wrote: hook: unknown field/],
      [{ ...good, status: "ok" }, /status: expected "running" or "failed" or "done", found "ok"/],
      [
        { ...good, steps: [{ id: "edit", finishedAt: "x", record: [] }] },
        /steps\[0\]\.record: expected an object/,
      ],
      [{ ...good, running: 3 }, /running: expected a string, found 3/],
    ];
    for (const [value, message] of cases) {
      mem.files.set("/p/.slipway/release.json", JSON.stringify(value));
      await assert.rejects(journal.read(), (e: SlipwayError) => e.code === "io" && message.test(e.message));
    }
  });
});

describe("typed records", () => {
  const counted = struct({ count: string });
  const literalCount = matching(/^\d+$/, "digits");
  type Input = { release: string };
  /** "first" records a count; "second" reads it through `recordOf` with the step as key. */
  function pair(options: { firstReturns?: unknown; seen?: unknown[] } = {}) {
    const first: Step<Input, { count: string }> = {
      id: "first",
      title: "First",
      public: false,
      dryRun: "run",
      record: counted,
      journaled: struct({ count: literalCount }),
      async checkRecord(input, record, where) {
        if (record.count === "13") throw new SlipwayError("io", `${where}: ${input.release} refuses 13`);
      },
      run: async () => (options.firstReturns ?? { count: "3" }) as { count: string },
    };
    const second: Step<Input, { seen: string }> = {
      id: "second",
      title: "Second",
      public: false,
      dryRun: "run",
      record: struct({ seen: string }),
      async run(ctx) {
        options.seen?.push(recordOf(ctx, first), recordOf(ctx, second));
        return { seen: needRecord(ctx, first).count };
      },
    };
    return { first, second, table: [first, second] as StepTable<Input> };
  }
  const options = (journal: JournalStore, extra: { resume?: boolean } = {}) => ({
    input: { release: "demo 1.2.4" },
    journal,
    subject: "demo",
    now: clock(),
    ...extra,
  });

  test("a later step reads an earlier one's record typed, by the step itself", async () => {
    const seen: unknown[] = [];
    const { table } = pair({ seen });
    const result = await runPipeline(table, options(memoryJournal()));
    assert.equal(result.status, "done");
    assert.deepEqual(seen, [{ count: "3" }, undefined]);
    assert.deepEqual(
      result.steps.map((s) => s.record),
      [{ count: "3" }, { seen: "3" }],
    );
  });

  test("needRecord of a step that has not run is an internal error naming it", async () => {
    const { second } = pair();
    const result = await runPipeline([second], options(memoryJournal()));
    const f = failed(result);
    assert.equal(f.error.code, "internal");
    assert.match(f.error.message, /the first step left no record/);
  });

  test("a record that does not fit its step's shape fails the step (the type and its check cannot drift)", async () => {
    for (const [returned, message] of [
      [{ count: 3 }, /record of step "first" is not a file slipway wrote: count: expected a string, found 3/],
      [{ count: "3", extra: true }, /extra: unknown field/],
      [{ count: "3", when: new Date(0) }, /the record of step "first" when is not JSON data/],
    ] as const) {
      const journal = memoryJournal();
      const result = await runPipeline(pair({ firstReturns: returned }).table, options(journal));
      const f = failed(result);
      assert.equal(f.step, "first");
      assert.equal(f.error.code, "internal");
      assert.match(f.error.message, message);
      assert.equal(journal.stored, null, "nothing journaled");
    }
  });

  test("a journaled record is read with the journaled shape and the step's check before anything runs", async () => {
    const base = memoryJournal();
    await runPipeline(pair().table, options(base));
    const cases: [unknown, RegExp][] = [
      [
        { count: "x" },
        /release\.json steps\[0\]\.record is not a file slipway wrote: count: expected digits/,
      ],
      [{ count: "3", more: 1 }, /steps\[0\]\.record is not a file slipway wrote: more: unknown field/],
      [{ count: "13" }, /steps\[0\]\.record: demo 1\.2\.4 refuses 13/],
    ];
    for (const [record, message] of cases) {
      const stored = structuredClone(base.stored!);
      stored.status = "failed";
      stored.steps = [{ ...stored.steps[0]!, record: record as Journal["steps"][number]["record"] }];
      const journal = memoryJournal(stored);
      const events: PipelineEvent[] = [];
      await assert.rejects(
        runPipeline(pair().table, { ...options(journal, { resume: true }), onEvent: (e) => events.push(e) }),
        message,
      );
      assert.deepEqual(events, [], "nothing ran or was skipped");
    }
  });
});
