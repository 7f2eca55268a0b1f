/*
 * racefeed live blog: a websocket client of the racefeed protocol that draws what the
 * server computes (draw.js does the drawing).
 *
 * The page subscribes with `views: true` and draws only the server's `snapshot` and
 * `views` messages (race states, result tables, the medal table, the narrator's
 * commentary): it holds no projection logic and writes no result, gap or split of
 * its own; every such text comes from the server. Event envelopes are used for seq
 * bookkeeping (every seq applied once, duplicates dropped, gaps resubscribed) and,
 * for `race_scheduled`, for the header of the race (championship, event, venue).
 *
 * What the page does itself:
 * - it keeps every commentary line it is sent (a `views` message carries the latest
 *   ones and every pinned key moment), across snapshots of the same run;
 * - it ticks the race clock between events from `replay_state`, by the rule of
 *   `clients/terminal/blog.py` (`clock_ms`), writing it as `feed/timing.py` does;
 * - it says when it is offline ("offline - last update 12 s ago") and announces a
 *   restarted session (a `subscribed` or `snapshot` behind what it showed, in the same
 *   epoch) instead of rewinding silently.
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
  const MAX_GAP_MS = 10000; // the longest idle gap a server replays by default
  const SILENT_MS = 45000; // three heartbeats (15 s each) without a frame: stale
  const TICK_MS = 100;

  // -- bookkeeping (what tests read) -----------------------------------------------

  const feed = {
    session: SESSION,
    url: SERVER,
    seqs: [], // every event seq applied, in order
    duplicates: 0, // events dropped because their seq was applied already
    gaps: 0, // times events were found missing (a seq skipped, or head_seq ahead)
    reconnects: 0, // connections opened after the first one
    snapshots: 0, // snapshot messages taken
    restarts: 0, // times the session was found to have restarted
    lastSeq: 0,
    epoch: null,
    ended: false,
    status: "connecting", // connecting | connected | reconnecting | ended
    replay: null, // the latest replay_state message
    views: null, // the latest views (from a snapshot or a views message)
    lines: [], // every commentary line kept, oldest first
  };
  window.racefeed = feed;

  const page = { views: null, infos: new Map(), lines: feed.lines, pinnedRace: params.get("race"), session: SESSION };
  const clock = { replayAt: 0, race: null, ms: 0, at: 0 };
  let lastFrameAt = performance.now();
  let socket = null;
  let opened = 0; // connections opened so far
  let attempt = 0; // reconnection attempts since the last successful subscribe
  let resyncing = false; // a resubscribe is on its way: skip what the old one still sends
  let retryTimer = null;
  let restartedFrom = null; // the clock the page showed before a restart, until its snapshot

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
      if (ws !== socket) return;
      lastFrameAt = performance.now();
      onFrame(message.data);
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
    if (event.type === "race_scheduled") page.infos.set(event.race, event.data.race);
    showFeedInfo();
  }

  function onMessage(message) {
    switch (message.op) {
      case "subscribed":
        resyncing = false;
        attempt = 0;
        if (feed.epoch !== null && message.epoch === feed.epoch && message.head_seq < feed.lastSeq) {
          restartedFrom = shownClock(); // announced once its snapshot comes
        }
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
        clock.replayAt = performance.now();
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
    const behind = feed.epoch !== null && message.seq < feed.lastSeq;
    const was = restartedFrom !== null ? restartedFrom : shownClock();
    const sameEpoch = message.epoch === feed.epoch;
    feed.snapshots += 1;
    feed.epoch = message.epoch;
    feed.lastSeq = message.seq;
    resyncing = false;
    restartedFrom = null;
    for (const [race, fold] of Object.entries(message.state.races)) page.infos.set(race, fold.info);
    // Lines up to the snapshot are the same events told the same way: keep them.
    keepLinesUpTo(message.seq);
    takeViews(message);
    if (behind) {
      const back = clockTextOf(message);
      if (sameEpoch) {
        feed.restarts += 1;
        announce(`Session restarted: back at ${back} (was at ${was})`, "restart");
      } else {
        announce(`Replay moved back to ${back}`, "rewind");
      }
    }
    setStatus(feed.ended ? "ended" : "connected");
  }

  function takeViews(message) {
    feed.views = page.views = {
      seq: message.seq,
      epoch: message.epoch,
      race_states: message.race_states,
      standings: message.standings,
      medal_table: message.medal_table,
    };
    if (Array.isArray(message.commentary)) mergeLines(message.commentary);
    anchorClock();
    scheduleRender();
  }

  // -- the commentary, kept whole ------------------------------------------------------

  function lineKey(line) {
    return `${line.seq}\u0000${line.kind}\u0000${line.text}`;
  }

  /** Add the lines not held yet, keeping the order (by seq, then as the server sent them). */
  function mergeLines(incoming) {
    const held = new Set(feed.lines.map(lineKey));
    const fresh = incoming.filter((line) => !held.has(lineKey(line)));
    if (fresh.length === 0) return;
    const merged = feed.lines.concat(fresh);
    const position = new Map(merged.map((line, index) => [line, index]));
    merged.sort((a, b) => a.seq - b.seq || position.get(a) - position.get(b));
    feed.lines.splice(0, feed.lines.length, ...merged);
  }

  function keepLinesUpTo(seq) {
    const kept = feed.lines.filter((line) => line.seq <= seq);
    feed.lines.splice(0, feed.lines.length, ...kept);
  }

  // -- the race clock, ticking between events --------------------------------------------

  function focusState() {
    const views = page.views;
    if (!views) return null;
    const race = window.RacefeedDraw.focusRace(views, page.pinnedRace);
    return race === null ? null : views.race_states.find((s) => s.race === race) || null;
  }

  /** Note when the race in focus last moved: the clock ticks on from there. */
  function anchorClock() {
    const state = focusState();
    if (state === null) return;
    if (state.race !== clock.race || state.clock_ms !== clock.ms) {
      clock.race = state.race;
      clock.ms = state.clock_ms;
      clock.at = performance.now();
    }
  }

  /** The clock to show, in ms: the last event's time, ticked on while the replay plays. */
  function clockMs(state, now) {
    const base = state.clock_ms;
    const replay = feed.replay;
    const offline = feed.status !== "connected";
    if (!replay || replay.race !== state.race || replay.state !== "playing" || replay.speed === "instant" || offline) {
      return base;
    }
    let ticked = replay.race_ms + (now - clock.replayAt) * replay.speed;
    if (clock.race === state.race) ticked = Math.max(ticked, base + (now - clock.at) * replay.speed);
    const fresh = clock.replayAt >= clock.at;
    const limit = fresh && replay.until_race_ms != null ? replay.until_race_ms : base + MAX_GAP_MS;
    return Math.max(base, Math.min(Math.floor(ticked), limit));
  }

  /** The race clock to 1/10 s: "2:35.1", "-0:05.0" (the rule of feed.timing.format_clock). */
  function formatClock(raceMs) {
    const sign = raceMs < 0 ? "-" : "";
    const tenths = Math.floor(Math.abs(raceMs) / 100);
    const minutes = Math.floor(tenths / 600);
    const rest = tenths % 600;
    return `${sign}${minutes}:${String(Math.floor(rest / 10)).padStart(2, "0")}.${rest % 10}`;
  }

  function shownClock() {
    return $("clock").textContent;
  }

  function clockTextOf(message) {
    const views = { race_states: message.race_states };
    const race = window.RacefeedDraw.focusRace(views, page.pinnedRace);
    const state = message.race_states.find((s) => s.race === race);
    return state ? state.clock_text : formatClock(0);
  }

  function tick() {
    const now = performance.now();
    const state = focusState();
    if (state !== null) {
      const ms = clockMs(state, now);
      const shown = formatClock(ms);
      const node = $("clock");
      if (node.textContent !== shown) {
        node.textContent = shown;
        node.dataset.raceMs = String(ms);
      }
    }
    showAlert(now);
  }

  // -- the link: offline, stale, restarted -------------------------------------------------

  function showAlert(now) {
    const alert = $("alert");
    const age = Math.max(0, Math.floor((now - lastFrameAt) / 1000));
    let kind = "";
    let message = "";
    if (feed.status === "reconnecting" || (feed.status === "connecting" && opened > 0)) {
      kind = "offline";
      message = `Offline - last update ${age} s ago`;
    } else if (feed.status === "connected" && now - lastFrameAt > SILENT_MS) {
      kind = "stale";
      message = `No update for ${age} s`;
    }
    document.body.classList.toggle("offline", kind !== "");
    if (alert.dataset.kind !== kind || alert.textContent !== message) {
      alert.dataset.kind = kind;
      alert.textContent = message;
      alert.hidden = kind === "";
    }
  }

  function announce(message, kind) {
    const notice = $("notice");
    notice.textContent = message;
    notice.dataset.kind = kind;
    notice.hidden = false;
  }

  // -- drawing -----------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  let renderPending = false;

  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    const draw = () => {
      if (!renderPending) return;
      renderPending = false;
      window.RacefeedDraw.render(page);
      tick();
    };
    window.requestAnimationFrame(draw);
    window.setTimeout(draw, 120); // a hidden tab gets no animation frames
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
    showAlert(performance.now());
  }

  function showFeedInfo() {
    $("feedinfo").textContent =
      `session ${SESSION} · epoch ${feed.epoch ?? "–"} · seq ${feed.lastSeq}` +
      ` · duplicates ${feed.duplicates} · gaps ${feed.gaps} · reconnects ${feed.reconnects}`;
  }

  feed.format = { clock: formatClock };

  showFeedInfo();
  window.setInterval(tick, TICK_MS);
  connect();
})();
