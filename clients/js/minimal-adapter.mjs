// A minimal racefeed conformance adapter (docs/conformance.md): one file, no
// dependencies. It subscribes, applies each seq once and in order (asking again from
// the first missing seq after a gap or a lost connection, and from seq 1 in a new
// epoch that starts behind it), folds the events by docs/rules.md, and answers each
// `show` on stdin. It never reads a snapshot's state and keeps no reorder buffer, so
// it asks again more often than it must; clients/js/conform-adapter.mjs is the whole
// client.
//   racefeed conform -- node --experimental-websocket clients/js/minimal-adapter.mjs
import { createInterface } from "node:readline";

const { RACEFEED_URL: url, RACEFEED_SESSION: session } = process.env;
const state = { seq: 0, epoch: null, races: new Map(), last: null };
let ws;
let asked = false; // a subscribe is on its way: events before its answer may have gaps

function connect() {
  ws = new WebSocket(url);
  ws.onopen = () => subscribe();
  ws.onclose = () => setTimeout(connect, 200); // resume from the first missing seq
  ws.onmessage = ({ data }) => {
    const frame = JSON.parse(data);
    for (const item of Array.isArray(frame) ? frame : [frame]) {
      if (item.op === "subscribed") [asked, state.epoch] = [false, state.epoch ?? item.epoch];
      else if (item.op === "snapshot" && item.epoch !== state.epoch) {
        // A new epoch, as of item.seq: where that is what this client holds, carry on in
        // it; else start over from seq 1 in it (a seek back).
        if (item.seq !== state.seq) return restart(item.epoch);
        state.epoch = item.epoch;
      } else if (item.type !== undefined && item.seq === state.seq + 1) apply(item);
      else if (item.type !== undefined && item.seq > state.seq + 1 && !asked) return subscribe();
    }
  };
}

function restart(epoch) {
  Object.assign(state, { seq: 0, epoch, races: new Map(), last: null });
  subscribe();
}

function subscribe() {
  asked = true;
  ws.send(JSON.stringify({ op: "subscribe", session, from_seq: state.seq + 1, epoch: state.epoch ?? undefined }));
}

function apply({ seq, type, race: id, data }) {
  state.seq = seq;
  if (type === "race_scheduled") {
    const rows = new Map(data.start_list.map((e) => [e.athlete_id, { ...e, ms: null, mark: null, split: [0, 0] }]));
    state.races.set(id, { status: "start_list", counted: false, rows });
    state.last = id;
  }
  const race = state.races.get(id);
  const row = race?.rows.get(data.athlete_id);
  if (type === "race_started") race.status = "live";
  else if (type === "result_status_changed") {
    race.status = data.status; // a race counts once official, and while protested after that
    race.counted = data.status === "official" || (data.status === "protested" && race.counted);
  }
  else if (type === "athlete_finished" || type === "result_amended") row.ms = data.elapsed_ms;
  else if (type === "photo_finish_resolved") for (const p of data.order) race.rows.get(p.athlete_id).ms = p.elapsed_ms;
  else if (type === "split_recorded") row.split = [data.distance_m, -data.elapsed_ms];
  else if (type === "athlete_did_not_start") row.mark = "DNS";
  else if (type === "athlete_did_not_finish") row.mark = "DNF";
  else if (type === "athlete_disqualified") row.mark = "DQ";
  else if (type === "athlete_reinstated") row.mark = null;
}

const official = (ms) => Math.ceil(ms / 10) * 10; // rounded up to 1/100
function timeText(ms) {
  const [h, m, s] = [Math.floor(ms / 3600000), Math.floor(ms / 60000) % 60, (ms % 60000) / 1000];
  const secs = s.toFixed(2).padStart(h || m ? 5 : 1, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${secs}` : m ? `${m}:${secs}` : secs;
}

function standings(race) {
  const all = [...race.rows.values()];
  const done = all.filter((r) => r.ms !== null && !r.mark).sort((a, b) => a.ms - b.ms || a.bib - b.bib);
  const running = all.filter((r) => r.ms === null && !r.mark)
    .sort((a, b) => b.split[0] - a.split[0] || b.split[1] - a.split[1] || a.bib - b.bib);
  const marked = (mark) => all.filter((r) => r.mark === mark).sort((a, b) => a.bib - b.bib);
  return [
    ...done.map((r) => ({ ...r, place: 1 + done.filter((o) => o.ms < r.ms).length, time: timeText(official(r.ms)) })),
    ...running.map((r) => ({ ...r, place: null, time: null })),
    ...["DQ", "DNF", "DNS"].flatMap(marked).map((r) => ({ ...r, place: null, time: null })),
  ];
}

function medals() {
  const table = new Map();
  for (const race of state.races.values()) {
    if (!race.counted) continue;
    for (const { nation, place } of standings(race).filter((r) => r.place !== null && r.place <= 3)) {
      const line = table.get(nation) ?? { nation, gold: 0, silver: 0, bronze: 0 };
      line[["gold", "silver", "bronze"][place - 1]] += 1;
      table.set(nation, line);
    }
  }
  return [...table.values()].sort((a, b) => b.gold - a.gold || b.silver - a.silver || b.bronze - a.bronze
    || (a.nation < b.nation ? -1 : 1));
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const ask = JSON.parse(line);
  if (ask.ask === "quit") process.exit(0);
  const race = state.races.get(state.last);
  const answer = { id: ask.id, seq: state.seq, epoch: state.epoch, status: race?.status ?? null,
    standings: race ? standings(race).map(({ bib, name, place, time, mark }) => ({ bib, name, place, time, mark })) : [],
    medals: medals() };
  process.stdout.write(JSON.stringify(answer) + "\n");
}).on("close", () => process.exit(0));
connect();
