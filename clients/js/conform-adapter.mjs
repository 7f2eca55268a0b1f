// The JavaScript reference client as a client under test for `racefeed conform`.
//
//   racefeed conform -- node --experimental-websocket clients/js/conform-adapter.mjs
//
// It follows the adapter contract (docs/conformance.md): it subscribes to
// RACEFEED_SESSION at RACEFEED_URL with feed.mjs, which keeps the stream whole
// (dedupe, reorder, gaps, epochs, reconnects) and folds it with fold.mjs, and answers
// each {"ask": "show", "id": N} on stdin with one JSON line on stdout, at once. It
// exits on {"ask": "quit"} or when stdin closes. Logs go to stderr only.
//
// RACEFEED_BROKEN=<variant> runs a deliberately broken variant (README.md), for the
// suite's own tests: each must fail the cases written to catch it.

import { createInterface } from "node:readline";

import { BROKEN_VARIANTS, Feed } from "./feed.mjs";

const url = process.env.RACEFEED_URL;
const session = process.env.RACEFEED_SESSION;
const broken = process.env.RACEFEED_BROKEN || null;
const started = Date.now();

function log(message) {
  const at = ((Date.now() - started) / 1000).toFixed(3);
  process.stderr.write(`[js ${process.env.RACEFEED_CASE ?? "-"} +${at}s] ${message}\n`);
}

if (!url || !session) {
  log("RACEFEED_URL and RACEFEED_SESSION must be set");
  process.exit(2);
}
if (broken !== null && !BROKEN_VARIANTS.includes(broken)) {
  log(`unknown RACEFEED_BROKEN ${JSON.stringify(broken)} (one of ${BROKEN_VARIANTS.join(", ")})`);
  process.exit(2);
}
if (typeof globalThis.WebSocket !== "function") {
  log("no global WebSocket: run node with --experimental-websocket (Node 20) or Node 22+");
  process.exit(2);
}
if (broken !== null) log(`BROKEN variant: ${broken}`);

const feed = new Feed(url, { session, broken, log }).start();

function answer(id) {
  const shown = feed.fold.shown();
  return {
    id,
    seq: shown.seq,
    epoch: feed.epoch,
    status: shown.status,
    standings: shown.standings,
    medals: shown.medals,
  };
}

function quit() {
  feed.close();
  process.exit(0);
}

const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on("line", (line) => {
  if (!line.trim()) return;
  let ask;
  try {
    ask = JSON.parse(line);
  } catch {
    log(`not a question: ${line.slice(0, 200)}`);
    return;
  }
  if (ask.ask === "quit") quit();
  if (ask.ask === "show") process.stdout.write(JSON.stringify(answer(ask.id ?? 0)) + "\n");
});
input.on("close", quit);
