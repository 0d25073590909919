/**
 * One small document over HTTP(S) (`status diff --from-url`: the last published index.json):
 * a GET with a total deadline (redirects included), an idle timeout, and a size cap, so a server
 * that drips bytes or streams forever costs a bounded time and memory. No credentials are sent.
 */
import { SlipwayError } from "../../errors.ts";
import { transportFor } from "./agents.ts";
import { Deadline, displayUrl, formatSeconds } from "./exchange.ts";

export interface DocumentRequest {
  url: string;
  userAgent: string;
  /** The whole answer, redirects included, within this long. */
  deadlineMs: number;
  /** Give up when no byte has moved for this long. */
  idleMs: number;
  /** A body larger than this is refused. */
  maxBytes: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** Fetches `url`'s body as UTF-8 text; any status other than 200 or a broken answer is a network error. */
export function getDocument(request: DocumentRequest): Promise<string> {
  const shown = displayUrl(request.url);
  const failure = (
    what: string,
    hint = "check the URL; the site is what `slipway status --site` published",
  ) => new SlipwayError("network", `${shown}: ${what}`, { hint });
  return new Promise((resolve, reject) => {
    let settled = false;
    let current: { destroy: (error: Error) => void } | undefined;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      deadline.stop();
      current?.destroy(error);
      reject(error instanceof SlipwayError ? error : failure(error.message));
    };
    const deadline = new Deadline(request.deadlineMs, () =>
      fail(failure(`no complete answer within the ${formatSeconds(request.deadlineMs)} s deadline`)),
    );
    const hop = (target: URL, left: number) => {
      if (target.protocol !== "http:" && target.protocol !== "https:") {
        fail(failure(`${target.protocol} is not HTTP(S)`));
        return;
      }
      const transport = transportFor(target);
      const req = transport.request(target, {
        method: "GET",
        headers: { "User-Agent": request.userAgent, Accept: "application/json", "Cache-Control": "no-cache" },
        agent: transport.agent,
      });
      current = req;
      req.setTimeout(request.idleMs, () =>
        req.destroy(new Error(`no byte for ${formatSeconds(request.idleMs)} s`)),
      );
      req.on("error", fail);
      req.on("response", (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECTS.has(status) && location !== undefined && left > 0) {
          res.resume();
          hop(new URL(location, target), left - 1);
          return;
        }
        if (status !== 200) {
          res.resume();
          fail(failure(`answered ${status}${res.statusMessage ? ` ${res.statusMessage.slice(0, 80)}` : ""}`));
          return;
        }
        const declared = Number(res.headers["content-length"] ?? Number.NaN);
        if (declared > request.maxBytes) {
          fail(failure(`the document is larger than ${request.maxBytes} bytes (${declared})`));
          return;
        }
        current = res;
        const chunks: Buffer[] = [];
        let received = 0;
        res.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > request.maxBytes)
            fail(failure(`the document is larger than ${request.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on("error", fail);
        res.on("aborted", () => fail(failure("the answer was cut off")));
        res.on("end", () => {
          if (settled) return;
          if (!res.complete) {
            fail(failure("the answer was cut off"));
            return;
          }
          settled = true;
          deadline.stop();
          resolve(Buffer.concat(chunks).toString("utf8"));
        });
      });
      req.end();
    };
    try {
      hop(new URL(request.url), MAX_REDIRECTS);
    } catch {
      fail(failure("is not a URL", "give an http:// or https:// URL of the published index.json"));
    }
  });
}
