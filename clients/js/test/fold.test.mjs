// Unit tests of fold.mjs: the JS fold against the Python reference projection.
//
//   python clients/js/test/make_fixtures.py && node --test clients/js/test/
//
// The fixtures are each scenario's events and what the Python projection shows at a
// spread of seqs; test/make_fixtures.py writes them (to RACEFEED_FIXTURES when set,
// else test/fixtures/), fresh each time, so they always hold today's rules.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { test } from "node:test";

import { Fold, SequenceError, formatGap, formatTime, project } from "../fold.mjs";

const FIXTURES = process.env.RACEFEED_FIXTURES
  ? pathToFileURL(`${process.env.RACEFEED_FIXTURES.replace(/\/$/, "")}/`)
  : new URL("./fixtures/", import.meta.url);
const SCENARIOS = JSON.parse(readFileSync(new URL("scenarios.json", FIXTURES), "utf8"));

function eventsOf(name) {
  return readFileSync(new URL(`${name}.events.jsonl`, FIXTURES), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

function expectedOf(name) {
  return JSON.parse(readFileSync(new URL(`${name}.expected.json`, FIXTURES), "utf8"));
}

const TOKYO = eventsOf("tokyo-2025-m1500-final");

test("the Tokyo final ends Nader (POR) gold, Wightman (GBR) silver, a Kenyan bronze", () => {
  const shown = project(TOKYO).shown();
  assert.equal(shown.seq, 231);
  assert.equal(shown.status, "official");
  const [first, second, third] = shown.standings;
  assert.deepEqual(
    [first.name, first.place, first.time],
    ["Isaac Nader", 1, "3:34.10"],
  );
  assert.deepEqual(
    [second.name, second.place, second.time],
    ["Jake Wightman", 2, "3:34.12"],
  );
  assert.equal(third.place, 3);
  assert.deepEqual(shown.medals, [
    { nation: "POR", gold: 1, silver: 0, bronze: 0 },
    { nation: "GBR", gold: 0, silver: 1, bronze: 0 },
    { nation: "KEN", gold: 0, silver: 0, bronze: 1 },
  ]);
  const standings = project(TOKYO).standings();
  assert.equal(standings.rows[0].medal, "gold");
  assert.equal(standings.rows[1].gap_text, "+0.02");
  assert.equal(standings.title, "Men's 1500 metres, Final");
});

test("before the gun: status start_list, every entrant listed, nobody placed", () => {
  const shown = project(TOKYO, { untilSeq: 2 }).shown();
  assert.equal(shown.status, "start_list");
  assert.ok(shown.standings.length >= 12);
  assert.ok(shown.standings.every((row) => row.place === null && row.time === null));
  assert.deepEqual(shown.medals, []);
});

test("nothing folded: seq 0, no status, no rows", () => {
  assert.deepEqual(new Fold().shown(), { seq: 0, status: null, standings: [], medals: [] });
});

for (const name of SCENARIOS) {
  test(`${name}: the same as the Python projection at every point checked`, () => {
    const events = eventsOf(name);
    const expected = expectedOf(name);
    const fold = new Fold();
    let next = 0;
    for (const seq of Object.keys(expected).map(Number).sort((a, b) => a - b)) {
      while (fold.head_seq < seq) fold.apply(events[next++]);
      assert.deepEqual(fold.shown(), expected[seq], `${name} at seq ${seq}`);
    }
  });
}

test("a snapshot's state folds on to the same result as the whole stream", () => {
  for (const [name, at] of [
    ["tokyo-2025-m1500-final", 215],
    ["tokyo-2025-championship", 500],
  ]) {
    const events = eventsOf(name);
    const state = JSON.parse(readFileSync(new URL(`${name}.state-${at}.json`, FIXTURES), "utf8"));
    const fold = Fold.fromState(state);
    assert.equal(fold.head_seq, at);
    assert.deepEqual(fold.shown(), project(events, { untilSeq: at }).shown());
    for (const event of events.slice(at)) fold.apply(event);
    assert.deepEqual(fold.shown(), project(events).shown(), name);
  }
});

test("a photo finish resolution replaces the provisional order", () => {
  const events = eventsOf("edge-photo-reverses-order");
  const resolved = events.findIndex((e) => e.type === "photo_finish_resolved");
  assert.ok(resolved > 0);
  const before = project(events, { untilSeq: events[resolved].seq - 1 }).shown();
  const after = project(events, { untilSeq: events[resolved].seq }).shown();
  assert.notDeepEqual(
    before.standings.slice(0, 2).map((r) => r.bib),
    after.standings.slice(0, 2).map((r) => r.bib),
  );
});

test("the fold refuses a gap, a duplicate and a rewind", () => {
  const fold = project(TOKYO, { untilSeq: 10 });
  assert.throws(() => fold.apply(TOKYO[9]), SequenceError); // seq 10 again
  assert.throws(() => fold.apply(TOKYO[11]), SequenceError); // seq 12: 11 is missing
  assert.throws(() => fold.apply(TOKYO[0]), SequenceError);
  fold.apply(TOKYO[10]);
  assert.equal(fold.head_seq, 11);
});

test("times and gaps are written as docs/rules.md says", () => {
  const cases = [
    [214101, "3:34.11"],
    [214100, "3:34.10"],
    [59500, "59.50"],
    [59991, "1:00.00"],
    [3723400, "1:02:03.40"],
  ];
  for (const [ms, text] of cases) assert.equal(formatTime(ms), text);
  assert.equal(formatTime(214101, { thousandths: true }), "3:34.101");
  assert.equal(formatGap(214120 - 214100), "+0.02");
  assert.equal(formatGap(120000), "+2:00.00");
});

test("a dead heat at 1/1000 shares a place and skips the next (docs/rules.md)", () => {
  const entrant = (bib, nation) => ({ bib, athlete_id: `a${bib}`, name: `A${bib}`, nation });
  const info = { event: "", round: "", distance_m: 1500, lap_m: 400, records: [] };
  const envelope = (seq, type, data) => ({ type, seq, race: "r", race_ms: 0, data });
  const fold = new Fold();
  fold.apply(
    envelope(1, "race_scheduled", {
      race: info,
      start_list: [entrant(1, "POR"), entrant(2, "GBR"), entrant(3, "KEN"), entrant(4, "KEN")],
    }),
  );
  fold.apply(envelope(2, "race_started", {}));
  fold.apply(envelope(3, "athlete_finished", { athlete_id: "a3", elapsed_ms: 214101 }));
  fold.apply(envelope(4, "athlete_finished", { athlete_id: "a1", elapsed_ms: 214101 }));
  fold.apply(envelope(5, "athlete_finished", { athlete_id: "a2", elapsed_ms: 214105 }));
  fold.apply(envelope(6, "athlete_disqualified", { athlete_id: "a4", rule: "TR17.1.2" }));
  fold.apply(envelope(7, "result_status_changed", { status: "official" }));
  const shown = fold.shown();
  assert.deepEqual(
    shown.standings.map((r) => [r.bib, r.place, r.time, r.mark]),
    [
      [1, 1, "3:34.11", null],
      [3, 1, "3:34.11", null],
      [2, 3, "3:34.11", null],
      [4, null, null, "DQ"],
    ],
  );
  assert.equal(fold.standings().rows[0].thousandths, "3:34.101");
  assert.deepEqual(shown.medals, [
    { nation: "KEN", gold: 1, silver: 0, bronze: 0 },
    { nation: "POR", gold: 1, silver: 0, bronze: 0 },
    { nation: "GBR", gold: 0, silver: 0, bronze: 1 },
  ]);
});
