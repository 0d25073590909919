/**
 * The status page in a real browser: Debian's chromium, headless, driven over the DevTools
 * protocol (node's WebSocket to `--remote-debugging-port=0`). At 375 px and 1280 px the page loads
 * without console errors, CSP violations or failed loads, the grade, counts and findings are in
 * the DOM, nothing overflows horizontally, and a screenshot has the viewport's width. Skipped, with
 * a notice, when chromium is not on PATH.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { assembleStatusSite } from "../../src/core/status/site.ts";
import { writeStatusSite } from "../../src/ops/status-site.ts";
import { sampleHistory, sampleStatus } from "../helpers/status-sample.ts";

const CHROMIUM = "chromium";
const found = spawnSync(CHROMIUM, ["--version"], { encoding: "utf8", timeout: 10_000 });
const missing =
  found.error !== undefined || found.status !== 0
    ? "chromium is not on PATH (Debian: apt-get install -y chromium); the status page was NOT checked in a browser"
    : false;
if (missing) process.stderr.write(`NOTICE: ${missing}\n`);

interface Cdp {
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  events: { method: string; params: Record<string, unknown> }[];
  waitFor(method: string, timeoutMs: number): Promise<void>;
  close(): void;
}

/** A DevTools session on one page target, over the browser's WebSocket (flattened sessions). */
async function connect(wsUrl: string): Promise<Cdp> {
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((done, fail) => {
    ws.addEventListener("open", () => done(), { once: true });
    ws.addEventListener("error", () => fail(new Error(`cannot connect to ${wsUrl}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, { done: (v: Record<string, unknown>) => void; fail: (e: Error) => void }>();
  const events: Cdp["events"] = [];
  const waiters: { method: string; done: () => void }[] = [];
  let sessionId: string | undefined;
  ws.addEventListener("message", (message) => {
    const data = JSON.parse(String(message.data)) as {
      id?: number;
      method?: string;
      params?: Record<string, unknown>;
      result?: Record<string, unknown>;
      error?: { message: string };
    };
    if (data.id !== undefined) {
      const call = pending.get(data.id);
      pending.delete(data.id);
      if (data.error !== undefined) call?.fail(new Error(data.error.message));
      else call?.done(data.result ?? {});
    } else if (data.method !== undefined) {
      events.push({ method: data.method, params: data.params ?? {} });
      for (const waiter of waiters.filter((w) => w.method === data.method)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.done();
      }
    }
  });
  const raw = (method: string, params: Record<string, unknown> = {}, session?: string) =>
    new Promise<Record<string, unknown>>((done, fail) => {
      const id = nextId++;
      pending.set(id, { done, fail });
      ws.send(
        JSON.stringify({ id, method, params, ...(session === undefined ? {} : { sessionId: session }) }),
      );
    });
  const { targetId } = (await raw("Target.createTarget", { url: "about:blank" })) as { targetId: string };
  ({ sessionId } = (await raw("Target.attachToTarget", { targetId, flatten: true })) as {
    sessionId: string;
  });
  return {
    send: (method, params) => raw(method, params, sessionId),
    events,
    waitFor: (method, timeoutMs) =>
      new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          method,
          done: () => {
            clearTimeout(timer);
            done();
          },
        });
      }),
    close: () => ws.close(),
  };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
  assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

let work = "";
let browser: ChildProcess | undefined;
let wsUrl = "";
let pageUrl = "";

function killBrowser(): void {
  if (browser?.pid !== undefined && browser.exitCode === null) {
    try {
      process.kill(-browser.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

before(async () => {
  if (missing) return;
  work = mkdtempSync(join(tmpdir(), "slipway-site-browser-"));
  const site = join(work, "site");
  const files = assembleStatusSite(sampleStatus(50), { history: sampleHistory(90) });
  await writeStatusSite({ dir: site, cwd: work, files });
  pageUrl = pathToFileURL(join(site, "index.html")).href;
  const profile = join(work, "profile");
  browser = spawn(
    CHROMIUM,
    [
      "--headless=new",
      "--disable-gpu",
      "--no-sandbox",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-sync",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { detached: true, stdio: "ignore" },
  );
  process.on("exit", killBrowser);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const [port, path] = readFileSync(join(profile, "DevToolsActivePort"), "utf8").split("\n");
      if (port !== undefined && path !== undefined && path !== "") {
        wsUrl = `ws://127.0.0.1:${port}${path}`;
        break;
      }
    } catch {
      // not written yet
    }
    if (Date.now() > deadline || browser.exitCode !== null)
      throw new Error("chromium did not start its DevTools endpoint");
    await new Promise((done) => setTimeout(done, 100));
  }
});

after(() => {
  killBrowser();
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

const PROBE = `JSON.stringify({
  lang: document.documentElement.lang,
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  h1: document.querySelector("h1")?.textContent ?? null,
  grade: document.querySelector("#grade strong")?.textContent ?? null,
  gradeText: document.querySelector("#grade span")?.textContent ?? "",
  countsRows: document.querySelectorAll("#counts tbody tr, #counts tfoot tr").length,
  findingRows: document.querySelectorAll("#findings tbody tr").length,
  caption: document.querySelector("#findings caption")?.textContent ?? null,
  sparkline: document.querySelector("#sparkline polyline")?.getAttribute("points")?.split(" ").length ?? 0,
  links: [...document.querySelectorAll("#findings a")].map((a) => a.protocol),
  scripts: document.scripts.length,
  injected: document.querySelectorAll("#findings img, #findings script").length,
  widest: Math.max(...[...document.querySelectorAll("body *")].map((e) => e.getBoundingClientRect().right)),
  contrast: (() => {
    // WCAG 2 contrast of every text node against the first opaque background behind it.
    const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
    const channel = (v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const back = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || c[3] > 0) return c;
      }
      return [255, 255, 255];
    };
    let worst = { ratio: 99, text: "" };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || el.closest("svg")) continue;
      const a = lum(rgb(getComputedStyle(el).color));
      const b = lum(back(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < worst.ratio) worst = { ratio, text: n.textContent.slice(0, 40) };
    }
    return worst;
  })(),
})`;

for (const width of [375, 1280]) {
  test(`the status page at ${width} px: no console errors, content in the DOM, no horizontal overflow`, {
    skip: missing,
    timeout: 40_000,
  }, async () => {
    const cdp = await connect(wsUrl);
    try {
      await cdp.send("Runtime.enable");
      await cdp.send("Log.enable");
      await cdp.send("Page.enable");
      await cdp.send("Emulation.setDeviceMetricsOverride", {
        width,
        height: 900,
        deviceScaleFactor: 1,
        mobile: width < 600,
      });
      const loaded = cdp.waitFor("Page.loadEventFired", 15_000);
      await cdp.send("Page.navigate", { url: pageUrl });
      await loaded;
      const { result } = (await cdp.send("Runtime.evaluate", { expression: PROBE, returnByValue: true })) as {
        result: { value: string };
      };
      const page = JSON.parse(result.value) as Record<string, unknown>;
      assert.equal(page.lang, "en");
      assert.equal(page.h1, "prompt-manager: security status");
      assert.equal(page.grade, "D");
      assert.match(String(page.gradeText), /^Grade D: /);
      assert.equal(page.countsRows, 4);
      assert.equal(page.findingRows, 50);
      assert.match(String(page.caption), /^Open findings \(50\)/);
      assert.equal(page.sparkline, 91);
      assert.ok((page.links as string[]).length >= 40);
      assert.ok((page.links as string[]).every((protocol) => protocol === "https:"));
      assert.equal(page.scripts, 0);
      assert.equal(page.injected, 0, "hostile finding text became elements");
      assert.equal(page.innerWidth, width);
      assert.ok(
        (page.scrollWidth as number) <= width,
        `horizontal overflow at ${width} px: scrollWidth ${page.scrollWidth}`,
      );
      assert.ok(
        (page.widest as number) <= width + 0.5,
        `an element reaches ${page.widest} px at ${width} px`,
      );
      const contrast = page.contrast as { ratio: number; text: string };
      assert.ok(
        contrast.ratio >= 4.5,
        `text "${contrast.text}" has contrast ${contrast.ratio.toFixed(2)}:1 (WCAG AA: 4.5)`,
      );

      const { data } = (await cdp.send("Page.captureScreenshot", {
        format: "png",
        captureBeyondViewport: false,
      })) as {
        data: string;
      };
      const size = pngSize(Buffer.from(data, "base64"));
      assert.deepEqual(size, { width, height: 900 });

      const errors = cdp.events.filter(
        (event) =>
          event.method === "Runtime.exceptionThrown" ||
          (event.method === "Runtime.consoleAPICalled" && event.params.type === "error") ||
          (event.method === "Log.entryAdded" &&
            (event.params.entry as { level?: string } | undefined)?.level === "error"),
      );
      assert.deepEqual(errors, [], "console errors, exceptions, CSP violations or failed loads");
    } finally {
      cdp.close();
    }
  });
}

test("the page from the command line: --screenshot at 375 px and --dump-dom", {
  skip: missing,
  timeout: 40_000,
}, () => {
  const shot = join(work, "shot.png");
  const common = [
    "--headless=new",
    "--disable-gpu",
    "--no-sandbox",
    "--no-first-run",
    `--user-data-dir=${join(work, "profile-cli")}`,
  ];
  const run = (args: string[]) => {
    const child = spawnSync(CHROMIUM, [...common, ...args, pageUrl], {
      encoding: "utf8",
      timeout: 30_000,
      killSignal: "SIGKILL",
    });
    assert.equal(child.status, 0, child.stderr);
    return child.stdout;
  };
  run([`--screenshot=${shot}`, "--window-size=375,2000", "--hide-scrollbars"]);
  assert.deepEqual(pngSize(readFileSync(shot)), { width: 375, height: 2000 });
  const dom = run(["--dump-dom"]);
  assert.match(dom, /<table id="findings"/);
  assert.match(dom, /<strong aria-hidden="true">D<\/strong><span>Grade D: /);
  assert.doesNotMatch(dom, /<script/);
});
