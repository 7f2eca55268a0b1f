/*
 * racefeed live blog: a websocket client of the racefeed protocol that draws what the
 * server computes.
 *
 * The page subscribes with `views: true` and draws only the server's `snapshot` and
 * `views` messages (race states, result tables, the medal table, the narrator's
 * commentary): it holds no projection logic of its own. Event envelopes are used for
 * seq bookkeeping (every seq applied once, duplicates dropped, gaps resubscribed) and,
 * for `race_scheduled`, for the header of the race (championship, event, venue).
 *
 * Query parameters: `?session=NAME` (default `main`), `?server=ws://host:port/`
 * (default: the host that served the page), `?race=ID` (pin one race of a
 * championship stream).
 *
 * `window.racefeed` exposes the bookkeeping for tests and debugging.
 */
(function () {
  "use strict";

  const params = new URLSearchParams(window.location.search);
  const SESSION = params.get("session") || "main";
  const SCHEME = window.location.protocol === "https:" ? "wss" : "ws";
  const SERVER = params.get("server") || `${SCHEME}://${window.location.host}/`;
  const BACKOFF_FIRST_MS = 250;
  const BACKOFF_MAX_MS = 8000;
  const COMMENTARY_SHOWN = 12; // as many lines as the terminal view shows

  const STATUS_LABELS = {
    start_list: "START LIST",
    live: "LIVE",
    unofficial: "UNOFFICIAL",
    official: "OFFICIAL",
    protested: "PROTESTED",
  };
  const OUT_OF_RACE = { dnf: "DNF", dns: "DNS", dq: "DQ" };
  const KIND_LABELS = {
    start: "Start",
    lead: "Lead",
    bell: "Bell",
    incident: "Incident",
    finish: "Finish",
    photo: "Photo",
    protest: "Protest",
    disqualification: "DQ",
    correction: "Correction",
    status: "Result",
  };

  // -- bookkeeping (what tests read) -----------------------------------------------

  const feed = {
    session: SESSION,
    url: SERVER,
    seqs: [], // every event seq applied, in order
    duplicates: 0, // events dropped because their seq was applied already
    gaps: 0, // times events were found missing (a seq skipped, or head_seq ahead)
    reconnects: 0, // connections opened after the first one
    snapshots: 0, // snapshot messages taken
    lastSeq: 0,
    epoch: null,
    ended: false,
    status: "connecting", // connecting | connected | reconnecting | ended
    replay: null, // the latest replay_state message
    views: null, // the latest views (from a snapshot or a views message)
  };
  window.racefeed = feed;

  const infos = new Map(); // race id -> RaceInfo, from race_scheduled or a snapshot's state
  let socket = null;
  let opened = 0; // connections opened so far
  let attempt = 0; // reconnection attempts since the last successful subscribe
  let resyncing = false; // a resubscribe is on its way: skip what the old one still sends
  let retryTimer = null;

  // -- the connection ----------------------------------------------------------------

  function connect() {
    retryTimer = null;
    const ws = new WebSocket(SERVER);
    socket = ws;
    ws.onopen = () => {
      if (ws !== socket) return;
      opened += 1;
      if (opened > 1) feed.reconnects += 1;
      subscribe();
    };
    ws.onmessage = (message) => {
      if (ws === socket) onFrame(message.data);
    };
    ws.onclose = (close) => {
      if (ws !== socket) return;
      socket = null;
      if (feed.ended) return; // the 1000 that follows `end`: the replay is over
      scheduleReconnect(close.code);
    };
    ws.onerror = () => {
      /* a close always follows; it decides what to do */
    };
  }

  function scheduleReconnect(code) {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    attempt += 1;
    setStatus("reconnecting", `Reconnecting (code ${code})…`);
    retryTimer = window.setTimeout(connect, delay * (0.8 + Math.random() * 0.4));
  }

  /** Subscribe, or resume where the page stands: from lastSeq + 1 in the epoch it holds. */
  function subscribe() {
    const message = { op: "subscribe", session: SESSION, views: true };
    if (feed.epoch === null) {
      message.snapshot = true; // holds nothing yet: start from a snapshot
    } else {
      message.from_seq = feed.lastSeq + 1;
      message.epoch = feed.epoch;
    }
    send(message);
  }

  function resubscribe() {
    if (resyncing || socket === null || socket.readyState !== WebSocket.OPEN) return;
    resyncing = true;
    subscribe();
  }

  function send(message) {
    if (socket !== null && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    }
  }

  // -- frames ------------------------------------------------------------------------

  function onFrame(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch (error) {
      console.warn("racefeed: a frame that is not JSON", error);
      return;
    }
    if (Array.isArray(frame)) {
      for (const event of frame) applyEvent(event);
    } else if (frame !== null && typeof frame.op === "string") {
      onMessage(frame);
    } else if (frame !== null && typeof frame.type === "string") {
      applyEvent(frame);
    }
  }

  /** Take one event envelope: at most once, in seq order; a skipped seq resubscribes. */
  function applyEvent(event) {
    if (event.seq <= feed.lastSeq) {
      feed.duplicates += 1;
      return;
    }
    if (event.seq !== feed.lastSeq + 1) {
      if (!resyncing) {
        feed.gaps += 1;
        resubscribe();
      }
      return;
    }
    feed.lastSeq = event.seq;
    feed.seqs.push(event.seq);
    if (event.type === "race_scheduled") infos.set(event.race, event.data.race);
    showFeedInfo();
  }

  function onMessage(message) {
    switch (message.op) {
      case "subscribed":
        resyncing = false;
        attempt = 0;
        if (feed.epoch !== null && message.epoch !== feed.epoch) break; // a snapshot follows
        feed.epoch = message.epoch;
        setStatus("connected");
        break;
      case "snapshot":
        takeSnapshot(message);
        break;
      case "views":
        // Views for events the page dropped (a gap being refilled) would run ahead of it.
        if (message.epoch === feed.epoch && message.seq <= feed.lastSeq) takeViews(message);
        break;
      case "caught_up":
      case "heartbeat":
        checkHead(message);
        break;
      case "replay_state":
        feed.replay = message;
        if (feed.status === "connected") setStatus("connected");
        break;
      case "end":
        if (message.epoch === feed.epoch && message.head_seq > feed.lastSeq) {
          feed.gaps += 1; // the close that follows reconnects and resumes
          break;
        }
        feed.ended = true;
        if (retryTimer !== null) window.clearTimeout(retryTimer);
        setStatus("ended");
        break;
      case "error":
        onError(message);
        break;
      default:
        break; // unsubscribed, pong, session_created: nothing to draw
    }
  }

  function onError(message) {
    if (message.code === "stale_epoch" || message.code === "unreachable_seq") {
      // The server follows this with a fresh snapshot, which replaces what the page holds.
      console.info(`racefeed: ${message.code}: ${message.message}`);
      return;
    }
    console.warn(`racefeed: error ${message.code}: ${message.message}`);
    if (message.code === "unknown_session") {
      $("connection").querySelector(".label").textContent = `No session “${SESSION}”`;
    }
  }

  /** A head ahead of what the page holds means events were missed: resume from lastSeq + 1. */
  function checkHead(message) {
    if (resyncing) return;
    if (message.epoch !== feed.epoch) {
      resubscribe(); // answered with stale_epoch and a fresh snapshot
      return;
    }
    if (message.head_seq > feed.lastSeq) {
      feed.gaps += 1;
      resubscribe();
    }
  }

  function takeSnapshot(message) {
    feed.snapshots += 1;
    feed.epoch = message.epoch;
    feed.lastSeq = message.seq;
    resyncing = false;
    for (const [race, fold] of Object.entries(message.state.races)) infos.set(race, fold.info);
    const before = feed.views;
    // A snapshot without commentary keeps the lines it has not overtaken.
    const kept = before && before.commentary
      ? before.commentary.filter((line) => line.seq <= message.seq)
      : null;
    takeViews({ ...message, commentary: message.commentary || kept });
    setStatus(feed.ended ? "ended" : "connected");
  }

  function takeViews(message) {
    feed.views = {
      seq: message.seq,
      epoch: message.epoch,
      race_states: message.race_states,
      standings: message.standings,
      medal_table: message.medal_table,
      commentary: Array.isArray(message.commentary)
        ? message.commentary
        : feed.views && feed.views.commentary,
    };
    scheduleRender();
  }

  // -- drawing -----------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  let renderPending = false;
  let pinnedRace = params.get("race");
  const seen = { leader: null, race: null, results: new Set(), lines: new Set(), order: new Map() };

  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    const draw = () => {
      if (!renderPending) return;
      renderPending = false;
      render();
    };
    window.requestAnimationFrame(draw);
    window.setTimeout(draw, 120); // a hidden tab gets no animation frames
  }

  function render() {
    const views = feed.views;
    if (!views) return;
    const race = focusRace(views);
    if (race === null) {
      $("championship").textContent = `Session ${SESSION}`;
      $("event").textContent = "Waiting for the start list";
      return;
    }
    const state = views.race_states.find((s) => s.race === race);
    const table = views.standings.find((s) => s.race === race);
    if (!state || !table) return;
    if (seen.race !== race) {
      seen.race = race;
      seen.leader = null;
      seen.results = new Set();
      seen.order = new Map();
    }
    const run = table.status !== "start_list" && table.status !== "live";
    const finished = table.rows.some((row) => row.time_ms !== null);
    drawRaces(views, race);
    drawHeader(race, state, table);
    drawLeader(state, table, run);
    $("order-panel").hidden = run;
    if (!run) drawOrder(state);
    $("results-panel").hidden = !(run || finished);
    drawResults(table);
    drawCommentary(views, race);
    drawMedals(views.medal_table);
    document.body.dataset.status = table.status;
  }

  /** The race on screen: the pinned one, else the latest started, else the latest scheduled. */
  function focusRace(views) {
    const states = views.race_states;
    if (states.length === 0) return null;
    if (pinnedRace && states.some((s) => s.race === pinnedRace)) return pinnedRace;
    for (let i = states.length - 1; i >= 0; i -= 1) {
      if (states[i].status !== "start_list") return states[i].race;
    }
    return states[states.length - 1].race;
  }

  function drawRaces(views, race) {
    const nav = $("races");
    nav.hidden = views.standings.length < 2;
    if (nav.hidden) return;
    nav.replaceChildren(
      ...views.standings.map((table) => {
        const button = el("button", { type: "button", "data-race": table.race }, table.title);
        button.classList.toggle("current", table.race === race);
        button.classList.toggle("is-live", table.status === "live");
        button.onclick = () => {
          pinnedRace = table.race === pinnedRace ? null : table.race;
          render();
        };
        return button;
      }),
    );
  }

  function drawHeader(race, state, table) {
    const info = infos.get(race);
    $("championship").textContent = info ? info.championship : "";
    const heading = info ? [info.event, info.round].filter(Boolean).join(" · ") : "";
    $("event").textContent = heading || table.title;
    $("venue").textContent = info ? info.venue : "";
    const badge = $("status");
    badge.textContent = STATUS_LABELS[table.status] || table.status.toUpperCase();
    badge.dataset.status = table.status;
    badge.className = `badge badge-${table.status}`;
    $("clock").textContent = formatClock(state.clock_ms);
    const laps = $("laps");
    let lapsText = "";
    if (table.status === "live" && state.laps_to_go !== null && state.laps_to_go > 0) {
      lapsText = state.laps_to_go === 1 ? "BELL" : `${state.laps_to_go} laps to go`;
    }
    laps.textContent = lapsText;
    laps.classList.toggle("bell", lapsText === "BELL");
    document.title = `${lapsText || STATUS_LABELS[table.status] || ""} ${heading || table.title}`.trim();
  }

  function drawLeader(state, table, run) {
    const strip = $("leader");
    const winner = table.rows.find((row) => row.place === 1);
    let athlete = null;
    let parts;
    if (winner && (run || state.order.some((r) => r.status === "finished"))) {
      athlete = winner.athlete_id;
      parts = [
        el("span", { class: "leader-label" }, run ? "Winner" : "Winner (unofficial)"),
        el("span", { class: "leader-name" }, winner.name),
        nationChip(winner.nation),
        el("span", { class: "leader-detail" }, winner.time || ""),
      ];
    } else if (state.leader !== null) {
      const runner = state.order.find((r) => r.athlete_id === state.leader);
      athlete = state.leader;
      parts = [
        el("span", { class: "leader-label" }, "Leader"),
        el("span", { class: "leader-name" }, runner ? runner.name : state.leader),
        runner ? nationChip(runner.nation) : "",
        el("span", { class: "leader-detail" }, runner ? `at ${runner.distance_m} m` : ""),
      ];
    } else {
      const count = state.order.length;
      const label = table.status === "start_list" ? "Start list" : "Under way";
      parts = [
        el("span", { class: "leader-label" }, label),
        el("span", { class: "leader-detail" }, `${count} athlete${count === 1 ? "" : "s"}`),
      ];
    }
    parts.push(chasers(state, table, athlete));
    strip.replaceChildren(...parts);
    strip.dataset.athlete = athlete || "";
    if (athlete !== null && seen.leader !== null && athlete !== seen.leader) flash(strip);
    if (athlete !== null) seen.leader = athlete;
  }

  /** The next two behind the leader (or the winner), with their gaps. */
  function chasers(state, table, athlete) {
    let next = [];
    const winner = table.rows.find((row) => row.place === 1 && row.athlete_id === athlete);
    if (winner) {
      next = table.rows
        .filter((row) => row !== winner && row.place !== null && row.time_ms !== null)
        .slice(0, 2)
        .map((row) => [row.place, row.name, formatGap(officialMs(row.time_ms) - officialMs(winner.time_ms))]);
    } else if (athlete !== null) {
      next = state.order
        .filter((r) => r.athlete_id !== athlete && r.status === "running" && r.gap_ms !== null)
        .slice(0, 2)
        .map((r) => [r.position, r.name, formatGap(r.gap_ms)]);
    }
    if (next.length === 0) return "";
    return el(
      "ol",
      { class: "chasers", "data-testid": "chasers" },
      ...next.map(([place, name, behind]) =>
        el(
          "li",
          {},
          el("span", { class: "chaser-place" }, text(place)),
          el("span", { class: "chaser-name" }, name),
          el("span", { class: "chaser-gap" }, behind),
        ),
      ),
    );
  }

  function drawOrder(state) {
    const winner = state.order.length && state.order[0].status === "finished" ? state.order[0] : null;
    const rows = state.order.map((runner) => {
      const out = OUT_OF_RACE[runner.status];
      const before = seen.order.get(runner.athlete_id);
      const tr = el(
        "tr",
        {
          "data-athlete": runner.athlete_id,
          "data-status": runner.status,
          "data-position": runner.position === null ? "" : String(runner.position),
        },
        el("td", { class: "num pos" }, el("span", { class: "pos-box" }, text(runner.position))),
        el("td", { class: "num bib" }, String(runner.bib)),
        el(
          "td",
          { class: "name" },
          runner.name,
          runner.incident ? incidentMarker(runner.incident, "inline") : "",
        ),
        el("td", { class: "nat" }, nationChip(runner.nation)),
        el("td", { class: "num at" }, out || where(runner)),
        el("td", { class: "num gap" }, gap(runner, winner)),
        el("td", { class: "incident" }, runner.incident ? incidentMarker(runner.incident) : ""),
      );
      if (out) tr.classList.add("out");
      if (runner.position === 1) tr.classList.add("first");
      if (before !== undefined && runner.position !== null && before !== null && runner.position < before) {
        tr.classList.add("moved-up");
      }
      return tr;
    });
    seen.order = new Map(state.order.map((r) => [r.athlete_id, r.position]));
    $("order").tBodies[0].replaceChildren(...rows);
    const front = state.order.find((r) => r.status === "running" || r.status === "finished");
    $("order-note").textContent = front && front.distance_m ? `at ${front.distance_m} m` : "";
  }

  function drawResults(table) {
    $("results-title").textContent = `${table.title} · ${STATUS_LABELS[table.status] || table.status}`;
    const shown = table.rows.filter((row) => row.place !== null || row.mark !== null);
    const arrived = shown.filter((row) => !seen.results.has(row.athlete_id)).length;
    const fresh = arrived <= 3; // no fanfare for a whole table at once
    const rows = shown.map((row) => {
      const tr = el(
        "tr",
        {
          "data-athlete": row.athlete_id,
          "data-place": row.place === null ? "" : String(row.place),
          "data-mark": row.mark || "",
        },
        el("td", { class: "num pos" }, el("span", { class: `pos-box place-${row.place}` }, text(row.place))),
        el("td", { class: "name" }, row.name),
        el("td", { class: "nat" }, nationChip(row.nation)),
        el("td", { class: "num time" }, row.time || ""),
        el("td", { class: "marks" }, el("span", { class: "marks-list" }, ...marks(row))),
      );
      if (row.mark) tr.classList.add("out");
      if (fresh && !seen.results.has(row.athlete_id)) tr.classList.add("fresh");
      return tr;
    });
    seen.results = new Set(shown.map((row) => row.athlete_id));
    $("results").tBodies[0].replaceChildren(...rows);
  }

  function drawCommentary(views, race) {
    const lines = (views.commentary || []).slice(-COMMENTARY_SHOWN).reverse();
    const titles = new Map(views.standings.map((t) => [t.race, t.title]));
    const several = titles.size > 1;
    const arrived = lines.filter((line) => !seen.lines.has(`${line.seq}:${line.text}`)).length;
    const fresh = seen.lines.size > 0 && arrived <= 3; // a catch-up is not news
    const items = lines.map((line) => {
      const key = `${line.seq}:${line.text}`;
      const li = el(
        "li",
        { "data-seq": String(line.seq), "data-kind": line.kind, class: `line kind-${line.kind}` },
        el("time", { class: "line-clock" }, formatClock(line.race_ms)),
        el(
          "div",
          { class: "line-body" },
          KIND_LABELS[line.kind] ? el("span", { class: "line-kind" }, KIND_LABELS[line.kind]) : "",
          several && line.race !== race && titles.has(line.race)
            ? el("span", { class: "line-race" }, `${titles.get(line.race)}: `)
            : "",
          el("span", { class: "line-text" }, line.text),
        ),
      );
      if (line.emphasis) li.classList.add("emphasis");
      if (fresh && !seen.lines.has(key)) li.classList.add("fresh");
      return li;
    });
    seen.lines = new Set(lines.map((line) => `${line.seq}:${line.text}`));
    $("commentary").replaceChildren(...items);
    $("commentary-empty").hidden = items.length > 0;
  }

  function drawMedals(medals) {
    $("medals-panel").hidden = medals.races_counted.length === 0;
    const rows = medals.rows.map((row) =>
      el(
        "tr",
        { "data-nation": row.nation, "data-rank": String(row.rank) },
        el("td", { class: "num rank" }, String(row.rank)),
        el("td", { class: "nat" }, nationChip(row.nation)),
        el("td", { class: "num count gold" }, medalCount(row.gold, "gold")),
        el("td", { class: "num count silver" }, medalCount(row.silver, "silver")),
        el("td", { class: "num count bronze" }, medalCount(row.bronze, "bronze")),
        el("td", { class: "num total" }, String(row.total)),
      ),
    );
    $("medals").tBodies[0].replaceChildren(...rows);
  }

  function setStatus(status, label) {
    feed.status = status;
    const box = $("connection");
    box.dataset.state = status;
    const replay = feed.replay;
    let text = label;
    if (!text) {
      if (status === "ended") text = "Replay ended";
      else if (status === "connected") {
        text = "Connected";
        if (replay && replay.state === "paused") text += " · paused";
        else if (replay && replay.state === "playing" && replay.speed !== 1) {
          text += replay.speed === "instant" ? " · instant" : ` · ×${replay.speed}`;
        }
      } else text = "Connecting…";
    }
    box.querySelector(".label").textContent = text;
    showFeedInfo();
  }

  function showFeedInfo() {
    $("feedinfo").textContent =
      `session ${SESSION} · epoch ${feed.epoch ?? "–"} · seq ${feed.lastSeq}` +
      ` · duplicates ${feed.duplicates} · gaps ${feed.gaps} · reconnects ${feed.reconnects}`;
  }

  // -- pieces ------------------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) {
      if (child === "" || child === null || child === undefined) continue;
      node.append(child);
    }
    return node;
  }

  function text(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function nationChip(nation) {
    return el("span", { class: "nation", title: nation }, nation);
  }

  /** The red marker of an incident; the inline copy under the name is for narrow screens. */
  function incidentMarker(incident, extra = "") {
    const attributes = { class: `incident-marker ${extra}`.trim(), title: incident };
    return el("span", attributes, el("b", {}, "!"), incident);
  }

  function medalCount(count, medal) {
    return el("span", { class: count ? `medal-token ${medal}` : "medal-token zero" }, String(count));
  }

  function marks(row) {
    const chips = row.annotations.map((mark) => el("span", { class: `mark mark-${mark}` }, mark));
    if (row.mark !== null) {
      chips.push(el("span", { class: "mark mark-out" }, row.rule ? `${row.mark} ${row.rule}` : row.mark));
    }
    return chips;
  }

  /** Where a runner is: metres at the latest split, or the time once finished. */
  function where(runner) {
    if (runner.status === "finished" && runner.elapsed_ms !== null) return formatTime(runner.elapsed_ms);
    return runner.elapsed_ms !== null ? `${runner.distance_m} m` : "";
  }

  /** The gap as a result reads it: between official times once both have finished. */
  function gap(runner, winner) {
    if (
      winner && runner !== winner && runner.status === "finished" &&
      runner.elapsed_ms !== null && winner.elapsed_ms !== null
    ) {
      return formatGap(officialMs(runner.elapsed_ms) - officialMs(winner.elapsed_ms));
    }
    return runner.gap_ms === null ? "" : formatGap(runner.gap_ms);
  }

  function flash(node) {
    node.classList.remove("flash");
    void node.offsetWidth; // restart the animation
    node.classList.add("flash");
  }

  // -- time formatting: the rules of feed/timing.py, written for the browser ----------

  /** A 1/1000 reading rounded up to the next 1/100, as official times are. */
  function officialMs(ms) {
    return Math.ceil(ms / 10) * 10;
  }

  /** "3:34.10", "59.50": the official time of a reading. */
  function formatTime(ms) {
    const official = officialMs(ms);
    const whole = Math.floor(official / 1000);
    const fraction = String(Math.floor((official % 1000) / 10)).padStart(2, "0");
    const hours = Math.floor(whole / 3600);
    const minutes = Math.floor(whole / 60) % 60;
    const seconds = whole % 60;
    const two = (n) => String(n).padStart(2, "0");
    if (hours) return `${hours}:${two(minutes)}:${two(seconds)}.${fraction}`;
    if (minutes) return `${minutes}:${two(seconds)}.${fraction}`;
    return `${seconds}.${fraction}`;
  }

  function formatGap(ms) {
    return `+${formatTime(ms)}`;
  }

  /** The race clock to 1/10 s: "2:35.1", "-0:05.0". */
  function formatClock(raceMs) {
    const sign = raceMs < 0 ? "-" : "";
    const tenths = Math.floor(Math.abs(raceMs) / 100);
    const minutes = Math.floor(tenths / 600);
    const rest = tenths % 600;
    return `${sign}${minutes}:${String(Math.floor(rest / 10)).padStart(2, "0")}.${rest % 10}`;
  }

  feed.format = { clock: formatClock, time: formatTime, gap: formatGap };

  showFeedInfo();
  connect();
})();
