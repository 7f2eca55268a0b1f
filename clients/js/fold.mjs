// The fold: racefeed events -> race status, standings rows and the medal table.
//
// A port of feed/projections (fold.py, state.py, standings.py, marks.py, medals.py)
// and feed/timing.py, so that a client can rebuild `racefeed standings --json` and
// `racefeed medals --json` from the event stream alone (docs/rules.md). Pure: no I/O,
// no Node-only APIs; a browser page can import it as is.
//
//   const fold = new Fold();
//   for (const event of events) fold.apply(event);   // envelopes, in seq order
//   fold.standings();   // {race, title, status, as_of_seq, rows, photo_finish, ...}
//   fold.medalTable();  // {rows, awards, races_counted}
//   fold.shown();       // {seq, status, standings, medals}: the conformance answer
//
// `apply` only records facts (the latest split, the time in force, marks, statuses);
// orders, places and medals are derived from the state when asked for, exactly as
// the Python projection does. A snapshot's `state` (the Python ProjectionState as
// JSON) is loaded with `Fold.fromState(state)`.

/** An event whose seq does not follow the last one applied (a gap, a rewind, a duplicate). */
export class SequenceError extends Error {
  constructor(expected, got) {
    super(`expected seq ${expected}, got ${got}`);
    this.name = "SequenceError";
    this.expected = expected;
    this.got = got;
  }
}

/** An event naming a race or athlete the stream never scheduled. */
export class ScenarioError extends Error {
  constructor(message) {
    super(message);
    this.name = "ScenarioError";
  }
}

// -- timing (feed/timing.py) --------------------------------------------------------

/** A 1/1000 reading rounded up to the next 1/100: the official time. */
export function officialMs(ms) {
  return Math.ceil(ms / 10) * 10;
}

/** Write a time as results do: "3:34.10" (official, rounded up), "59.50", "1:02:03.40". */
export function formatTime(ms, { thousandths = false } = {}) {
  if (ms < 0) return "-" + formatTime(-ms, { thousandths });
  let whole;
  let fraction;
  if (thousandths) {
    whole = Math.floor(ms / 1000);
    fraction = String(ms % 1000).padStart(3, "0");
  } else {
    const official = officialMs(ms);
    whole = Math.floor(official / 1000);
    fraction = String(Math.floor((official % 1000) / 10)).padStart(2, "0");
  }
  const seconds = whole % 60;
  const minutes = Math.floor(whole / 60) % 60;
  const hours = Math.floor(whole / 3600);
  const two = (n) => String(n).padStart(2, "0");
  if (hours) return `${hours}:${two(minutes)}:${two(seconds)}.${fraction}`;
  if (minutes) return `${minutes}:${two(seconds)}.${fraction}`;
  return `${seconds}.${fraction}`;
}

/** Write a gap behind the first finisher: "+0.02", "+1:02.40". */
export function formatGap(ms) {
  return ms < 0 ? "-" + formatTime(-ms) : "+" + formatTime(ms);
}

// -- state (feed/projections/state.py) -----------------------------------------------

const MEDAL_FOR_PLACE = { 1: "gold", 2: "silver", 3: "bronze" };
const RACE_WIDE = ["WR", "CR", "WL"];
const MARKS = [
  ["dq", "DQ"],
  ["dnf", "DNF"],
  ["dns", "DNS"],
];
const WINNER_LABELS = {
  live: "First across the line",
  unofficial: "Winner (unofficial)",
  official: "Winner",
  protested: "Winner (protested)",
};
export const PHOTO_UNDER_REVIEW = "Photo finish - under review";
const PROTESTED = "Protest - result under review";

function newRunner(entrant) {
  return {
    athlete_id: entrant.athlete_id,
    bib: entrant.bib,
    name: entrant.name,
    nation: entrant.nation,
    pb_ms: entrant.pb_ms ?? null,
    sb_ms: entrant.sb_ms ?? null,
    splits: new Map(), // metres -> race time there
    estimated: new Set(),
    finish_ms: null, // the time in force: latest of finish, photo reading, amendment
    dnf_seq: null,
    dns: false,
    disqualifications: [], // [{seq, rule}] in force
  };
}

function newRace(race, info) {
  return {
    race,
    info,
    status: "start_list",
    clock_ms: 0,
    been_official: false,
    runners: new Map(), // athlete id -> runner, in start-list order
    incidents: [],
    photo_asked: false,
    under_review: [],
  };
}

/** Where an athlete stands: DQ beats DNF, which beats a time in force, which beats DNS. */
export function outcome(runner) {
  if (runner.disqualifications.length) return "dq";
  if (runner.dnf_seq !== null) return "dnf";
  if (runner.finish_ms !== null) return "finished";
  if (runner.dns) return "dns";
  return "running";
}

function latestSplit(runner) {
  if (runner.splits.size === 0) return [0, null];
  let furthest = -Infinity;
  for (const metres of runner.splits.keys()) if (metres > furthest) furthest = metres;
  return [furthest, runner.splits.get(furthest)];
}

function photoFinishOf(race) {
  if (race.under_review.length) return "under_review";
  return race.photo_asked ? "resolved" : "none";
}

// -- the fold (feed/projections/fold.py) ---------------------------------------------

export class Fold {
  /**
   * @param {object} options `broken`: one of the deliberately broken variants of the
   *   conformance adapter that live in the fold (`ranks-by-last-split`,
   *   `ignores-photo-finish`), or null (the default) for the right rules.
   */
  constructor({ broken = null } = {}) {
    this.head_seq = 0; // the last seq applied; 0 before any
    this.races = new Map(); // race id -> race, in the order scheduled
    this.broken = broken;
  }

  /** Continue from a snapshot's `state` (the Python ProjectionState, as JSON). */
  static fromState(state, options = {}) {
    const fold = new Fold(options);
    fold.head_seq = state.head_seq ?? 0;
    for (const [id, raw] of Object.entries(state.races ?? {})) {
      const race = newRace(raw.race ?? id, raw.info);
      race.status = raw.status ?? "start_list";
      race.clock_ms = raw.clock_ms ?? 0;
      race.been_official = Boolean(raw.been_official);
      race.incidents = [...(raw.incidents ?? [])];
      race.photo_asked = Boolean(raw.photo_asked);
      race.under_review = [...(raw.under_review ?? [])];
      for (const [athleteId, r] of Object.entries(raw.runners ?? {})) {
        const runner = newRunner({ ...r, athlete_id: r.athlete_id ?? athleteId });
        for (const [metres, ms] of Object.entries(r.splits ?? {})) {
          runner.splits.set(Number(metres), ms);
        }
        runner.estimated = new Set((r.estimated ?? []).map(Number));
        runner.finish_ms = r.finish_ms ?? null;
        runner.dnf_seq = r.dnf_seq ?? null;
        runner.dns = Boolean(r.dns);
        runner.disqualifications = (r.disqualifications ?? []).map((d) => ({ ...d }));
        race.runners.set(runner.athlete_id, runner);
      }
      fold.races.set(id, race);
    }
    return fold;
  }

  /**
   * Fold one event envelope in.
   *
   * `strict` (the default) refuses any seq but head_seq + 1, as the Python fold does:
   * the protocol client (feed.mjs) is what puts events in order. `strict: false` is
   * there only for the deliberately broken variants of the conformance adapter.
   */
  apply(event, { strict = true } = {}) {
    const seq = event.seq;
    if (strict && seq - this.head_seq !== 1) throw new SequenceError(this.head_seq + 1, seq);
    const data = event.data ?? {};
    switch (event.type) {
      case "split_recorded": {
        const runner = this.#runner(event, data.athlete_id);
        runner.splits.set(data.distance_m, data.elapsed_ms);
        if (data.estimated) runner.estimated.add(data.distance_m);
        else runner.estimated.delete(data.distance_m);
        break;
      }
      case "athlete_finished":
        this.#setTime(event, data.athlete_id, data.elapsed_ms);
        if (this.broken === "applies-duplicates") {
          // BROKEN (applies-duplicates), with feed.mjs not deduping: this client keeps a
          // list of results that each athlete_finished adds to (see standingsOf), so a
          // finish applied twice is listed twice.
          const runner = this.#runner(event, data.athlete_id);
          runner.finishes = (runner.finishes ?? 0) + 1;
        }
        break;
      case "commentary": {
        const race = this.races.get(event.race); // commentary may talk about the whole session
        if (race) race.clock_ms = event.race_ms;
        break;
      }
      case "athlete_incident":
        this.#runner(event, data.athlete_id);
        this.#race(event).incidents.push({
          seq,
          race_ms: event.race_ms,
          athlete_id: data.athlete_id,
          distance_m: data.distance_m,
          kind: data.kind,
          detail: data.detail ?? "",
          continues: data.continues ?? true,
        });
        break;
      case "race_scheduled":
        this.#schedule(event);
        break;
      case "race_started":
        this.#race(event).status = "live";
        break;
      case "athlete_did_not_start":
        this.#runner(event, data.athlete_id).dns = true;
        break;
      case "athlete_did_not_finish":
        this.#runner(event, data.athlete_id).dnf_seq = seq;
        break;
      case "photo_finish_resolved": {
        if (this.broken === "ignores-photo-finish") {
          // BROKEN (ignores-photo-finish): the photo's order and readings are never
          // taken in; the provisional finish times (and the review) stay for good.
          break;
        }
        for (const place of data.order) this.#setTime(event, place.athlete_id, place.elapsed_ms);
        const race = this.#race(event);
        const decided = new Set(data.order.map((place) => place.athlete_id));
        race.under_review = race.under_review.filter((a) => !decided.has(a));
        race.photo_asked = true;
        break;
      }
      case "photo_finish_requested": {
        const race = this.#race(event);
        for (const athleteId of data.athlete_ids) {
          this.#runner(event, athleteId);
          if (!race.under_review.includes(athleteId)) race.under_review.push(athleteId);
        }
        race.photo_asked = true;
        break;
      }
      case "result_status_changed": {
        const race = this.#race(event);
        race.status = data.status;
        race.been_official = race.been_official || data.status === "official";
        break;
      }
      case "athlete_disqualified":
        this.#runner(event, data.athlete_id).disqualifications.push({ seq, rule: data.rule });
        break;
      case "athlete_reinstated":
        reinstate(this.#runner(event, data.athlete_id), data.supersedes);
        break;
      case "result_amended":
        this.#setTime(event, data.athlete_id, data.elapsed_ms);
        break;
      case "protest_lodged":
      case "protest_decided":
        this.#race(event); // no result changes until a decision is an event of its own
        break;
      default:
        break; // an event type this client does not know: counted, not folded
    }
    this.head_seq = seq;
  }

  /** Every race of the stream, in the order scheduled. */
  raceIds() {
    return [...this.races.keys()];
  }

  /** The result table of `race` (default: the latest scheduled); null before any race. */
  standings(race = null) {
    const fold = race === null ? [...this.races.values()].at(-1) : this.races.get(race);
    return fold === undefined ? null : standingsOf(fold, this.head_seq, this.broken);
  }

  /** The medal table over the races that count (official, or protested after official). */
  medalTable() {
    const counted = [...this.races.values()]
      .filter((race) => raceCounts(race.status, race.been_official))
      .map((race) => standingsOf(race, this.head_seq, this.broken));
    return medalTable(counted);
  }

  /** What a client shows (the conformance answer without id and epoch). */
  shown() {
    const standings = this.standings();
    return {
      seq: this.head_seq,
      status: standings === null ? null : standings.status,
      standings:
        standings === null
          ? []
          : standings.rows.map((r) => ({
              bib: r.bib,
              place: r.place,
              time: r.time,
              mark: r.mark,
              name: r.name,
            })),
      medals: this.medalTable().rows.map((m) => ({
        nation: m.nation,
        gold: m.gold,
        silver: m.silver,
        bronze: m.bronze,
      })),
    };
  }

  #race(event) {
    const race = this.races.get(event.race);
    if (race === undefined) {
      const known = this.raceIds().join(", ") || "none";
      throw new ScenarioError(
        `seq ${event.seq} (${event.type}): race ${JSON.stringify(event.race)} was never scheduled (scheduled: ${known})`,
      );
    }
    race.clock_ms = event.race_ms;
    return race;
  }

  #runner(event, athleteId) {
    const runner = this.#race(event).runners.get(athleteId);
    if (runner === undefined) {
      throw new ScenarioError(
        `seq ${event.seq} (${event.type}): athlete ${JSON.stringify(athleteId)} is not on the start list of race ${JSON.stringify(event.race)}`,
      );
    }
    return runner;
  }

  // The latest reading wins, whether a finish, a photo finish or an amendment.
  #setTime(event, athleteId, elapsedMs) {
    const runner = this.#runner(event, athleteId);
    runner.finish_ms = elapsedMs;
    runner.dnf_seq = null;
    runner.dns = false;
  }

  #schedule(event) {
    const { race: info, start_list: startList } = event.data;
    let race = this.races.get(event.race);
    if (race === undefined) {
      race = newRace(event.race, info);
      this.races.set(event.race, race);
    } else {
      race.info = info; // a republished start list: new header, new entrants, progress kept
    }
    race.clock_ms = event.race_ms;
    for (const entrant of startList) {
      const runner = race.runners.get(entrant.athlete_id);
      if (runner === undefined) {
        race.runners.set(entrant.athlete_id, newRunner(entrant));
      } else {
        Object.assign(runner, {
          bib: entrant.bib,
          name: entrant.name,
          nation: entrant.nation,
          pb_ms: entrant.pb_ms ?? null,
          sb_ms: entrant.sb_ms ?? null,
        });
      }
    }
  }
}

function reinstate(runner, supersedes) {
  const index = runner.disqualifications.findIndex((d) => d.seq === supersedes);
  if (index >= 0) {
    runner.disqualifications.splice(index, 1);
  } else if (runner.dnf_seq === supersedes) {
    runner.dnf_seq = null;
  } else if (runner.disqualifications.length) {
    runner.disqualifications.pop(); // names no seq we hold: undo the latest disqualification
  } else {
    runner.dnf_seq = null;
  }
}

/** Fold a whole stream from seq 1, as of `untilSeq` (all of it when null). */
export function project(events, { untilSeq = null } = {}) {
  const fold = new Fold();
  for (const event of events) {
    if (untilSeq !== null && event.seq > untilSeq) break;
    fold.apply(event);
  }
  return fold;
}

// -- standings (feed/projections/standings.py) ---------------------------------------

/** The race's heading: its event and round, "Men's 1500 metres, Final". */
export function titleOf(race) {
  return [race.info.event, race.info.round].filter(Boolean).join(", ") || race.race;
}

const byNumber = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Athletes with a time in force, fastest first at 1/1000, then by bib. */
export function finishers(race) {
  return [...race.runners.values()]
    .filter((r) => outcome(r) === "finished")
    .sort((a, b) => byNumber(a.finish_ms, b.finish_ms) || byNumber(a.bib, b.bib));
}

/** Athletes still running: furthest first, then the earlier at that distance, then bib. */
export function runningOrder(runners) {
  return runners
    .map((runner) => {
      const [distance, elapsed] = latestSplit(runner);
      return { runner, distance, elapsed: elapsed === null ? Infinity : elapsed };
    })
    .sort(
      (a, b) =>
        byNumber(b.distance, a.distance) ||
        byNumber(a.elapsed, b.elapsed) ||
        byNumber(a.runner.bib, b.runner.bib),
    )
    .map((item) => item.runner);
}

/** The result table of `race` as its fold stands at `asOfSeq` (docs/rules.md). */
export function standingsOf(race, asOfSeq, broken = null) {
  let done = finishers(race);
  if (broken === "ranks-by-last-split") {
    // BROKEN (ranks-by-last-split): finishers are put in the order of their last split
    // (furthest first, then the earlier there), as athletes still running are, instead
    // of by their finish time; places follow that order.
    done = runningOrder(done);
  }
  if (broken === "applies-duplicates") {
    // BROKEN (applies-duplicates): one result row per finish applied (see apply).
    done = done.flatMap((runner) => Array(Math.max(1, runner.finishes ?? 1)).fill(runner));
  }
  const byOutcome = { running: [], dq: [], dnf: [], dns: [] };
  for (const runner of race.runners.values()) {
    const kind = outcome(runner);
    if (kind !== "finished") byOutcome[kind].push(runner);
  }
  const marks = annotate(done, race.info.records ?? []);
  const review = new Set(race.under_review);
  const notes = incidentNotes(race);
  const officials = done.map((r) => officialMs(r.finish_ms));
  const counts = new Map();
  for (const time of officials) counts.set(time, (counts.get(time) ?? 0) + 1);
  const rows = [];
  let place = 0;
  let previous = null;
  done.forEach((runner, i) => {
    const index = i + 1;
    if (runner.finish_ms !== previous) {
      place = index;
      previous = runner.finish_ms;
    }
    const official = officialMs(runner.finish_ms);
    rows.push(
      row(runner, notes, review, {
        place,
        annotations: marks.get(runner.athlete_id) ?? [],
        gap: place === 1 ? null : official - officials[0],
        thousandths: counts.get(official) > 1,
      }),
    );
  });
  for (const runner of runningOrder(byOutcome.running)) rows.push(row(runner, notes, review));
  for (const [kind, mark] of MARKS) {
    for (const runner of [...byOutcome[kind]].sort((a, b) => byNumber(a.bib, b.bib))) {
      const rule = mark === "DQ" ? runner.disqualifications.at(-1).rule : null;
      rows.push(row(runner, notes, review, { mark, rule }));
    }
  }
  const underReview = review.size > 0;
  let notice = underReview ? PHOTO_UNDER_REVIEW : null;
  if (notice === null && race.status === "protested") notice = PROTESTED;
  return {
    race: race.race,
    title: titleOf(race),
    status: race.status,
    as_of_seq: asOfSeq,
    rows,
    photo_finish: photoFinishOf(race),
    winner_label: done.length && !underReview ? (WINNER_LABELS[race.status] ?? null) : null,
    notice,
  };
}

function row(runner, notes, review, opts = {}) {
  const { place = null, annotations = [], mark = null, rule = null, gap = null } = opts;
  const timeMs = place !== null ? runner.finish_ms : null; // only a place shows a time
  return {
    place,
    athlete_id: runner.athlete_id,
    bib: runner.bib,
    name: runner.name,
    nation: runner.nation,
    time: timeMs === null ? null : formatTime(timeMs),
    time_ms: timeMs,
    mark,
    rule,
    annotations,
    gap_text: gap === null ? "" : formatGap(gap),
    thousandths: opts.thousandths && timeMs ? formatTime(timeMs, { thousandths: true }) : null,
    medal: place !== null && review.size === 0 ? (MEDAL_FOR_PLACE[place] ?? null) : null,
    under_review: review.has(runner.athlete_id),
    incident: notes.get(runner.athlete_id) ?? null,
  };
}

function incidentNotes(race) {
  const notes = new Map();
  for (const incident of race.incidents) {
    notes.set(
      incident.athlete_id,
      incident.detail ? `${incident.kind}: ${incident.detail}` : incident.kind,
    );
  }
  return notes;
}

// -- result marks (feed/projections/marks.py) ----------------------------------------

/** PB, SB, NR, CR, WL, WR of each finisher (by athlete id), from official times. */
export function annotate(done, records) {
  const official = new Map(done.map((r) => [r.athlete_id, officialMs(r.finish_ms)]));
  const result = new Map();
  if (official.size === 0) return result;
  const fastest = Math.min(...official.values());
  const fastestOf = new Map();
  for (const r of done) {
    const time = official.get(r.athlete_id);
    if (!fastestOf.has(r.nation) || time < fastestOf.get(r.nation)) fastestOf.set(r.nation, time);
  }
  const best = new Map();
  const national = new Map();
  for (const record of records) {
    if (RACE_WIDE.includes(record.kind)) {
      best.set(record.kind, Math.min(best.get(record.kind) ?? record.time_ms, record.time_ms));
    } else if (record.kind === "NR" && record.nation != null) {
      national.set(
        record.nation,
        Math.min(national.get(record.nation) ?? record.time_ms, record.time_ms),
      );
    }
  }
  for (const r of done) {
    const time = official.get(r.athlete_id);
    const found = RACE_WIDE.filter((kind) => time === fastest && best.has(kind) && time < best.get(kind));
    if (time === fastestOf.get(r.nation) && national.has(r.nation) && time < national.get(r.nation)) {
      found.push("NR");
    }
    if (r.pb_ms != null && time < r.pb_ms) found.push("PB");
    else if (r.sb_ms != null && time < r.sb_ms) found.push("SB");
    result.set(r.athlete_id, found);
  }
  return result;
}

// -- medals (feed/projections/medals.py) ---------------------------------------------

/** Whether a race with this status (and history) counts in the medal table. */
export function raceCounts(status, beenOfficial) {
  return status === "official" || (status === "protested" && beenOfficial);
}

/** The medal table over the standings of the races that count. */
export function medalTable(counted) {
  const awards = [];
  const races = [];
  for (const standings of counted) {
    if (races.includes(standings.race)) continue;
    races.push(standings.race);
    for (const r of standings.rows) {
      const medal = r.place !== null ? MEDAL_FOR_PLACE[r.place] : undefined;
      if (medal !== undefined && r.mark === null) {
        awards.push({
          race: standings.race,
          medal,
          athlete_id: r.athlete_id,
          name: r.name,
          nation: r.nation,
        });
      }
    }
  }
  const tally = new Map();
  for (const award of awards) {
    if (!tally.has(award.nation)) tally.set(award.nation, [0, 0, 0]);
    tally.get(award.nation)[["gold", "silver", "bronze"].indexOf(award.medal)] += 1;
  }
  return { rows: rankNations(tally), awards, races_counted: races };
}

/** Rows ranked by golds, silvers, bronzes; equal counts share a rank, listed by nation. */
export function rankNations(tally) {
  const ordered = [...tally.entries()].sort(
    ([na, a], [nb, b]) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2] || (na < nb ? -1 : na > nb ? 1 : 0),
  );
  const rows = [];
  let rank = 0;
  let previous = null;
  ordered.forEach(([nation, counts], i) => {
    if (previous === null || counts.some((c, k) => c !== previous[k])) {
      rank = i + 1;
      previous = counts;
    }
    const [gold, silver, bronze] = counts;
    rows.push({ rank, nation, gold, silver, bronze, total: gold + silver + bronze });
  });
  return rows;
}
