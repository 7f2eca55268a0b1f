/*
 * racefeed live blog: drawing. Turns the server's views into the page.
 *
 * Everything shown as a time, a gap, a lap or a clock is a text the server wrote
 * (`time_text`, `gap_text`, `lap_text`, `clock_text`, `time`, `thousandths`, a
 * commentary line's `clock`): nothing here computes or rounds a time; an estimated
 * split gets a `~` before its texts. What the
 * result says (the photo finish under review, the winner's label, the medal
 * colours) is decided by the server too (`notice`, `winner_label`, `medal`).
 *
 * `window.RacefeedDraw.render(page)` draws `page.views` for the race in focus;
 * `page` also holds `infos` (race headers by id), `lines` (every commentary line
 * kept, oldest first), `pinnedRace` and `session`. app.js calls it.
 */
(function () {
  "use strict";

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
  };

  const $ = (id) => document.getElementById(id);
  const seen = { leader: null, race: null, results: new Set(), lines: new Set(), order: new Map() };

  /** The race on screen: the pinned one, else the latest started, else the latest scheduled. */
  function focusRace(views, pinnedRace) {
    const states = views.race_states;
    if (states.length === 0) return null;
    if (pinnedRace && states.some((s) => s.race === pinnedRace)) return pinnedRace;
    for (let i = states.length - 1; i >= 0; i -= 1) {
      if (states[i].status !== "start_list") return states[i].race;
    }
    return states[states.length - 1].race;
  }

  function render(page) {
    const views = page.views;
    if (!views) return;
    const race = focusRace(views, page.pinnedRace);
    if (race === null) {
      $("championship").textContent = `Session ${page.session}`;
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
    const before = table.status === "start_list";
    const run = !before && table.status !== "live";
    const finished = table.rows.some((row) => row.time_ms !== null);
    drawRaces(page, views, race);
    drawHeader(page, race, state, table);
    drawLeader(state, table);
    $("startlist-panel").hidden = !before;
    if (before) drawStartList(state);
    $("order-panel").hidden = before || run;
    if (!before && !run) drawOrder(state);
    $("results-panel").hidden = !(run || finished);
    $("results-panel").classList.toggle("first-panel", finished && !run);
    drawResults(table);
    drawSplits(state);
    drawCommentary(page, views, race);
    drawMedals(views.medal_table);
    document.body.dataset.status = table.status;
    document.body.dataset.photo = table.photo_finish;
  }

  function drawRaces(page, views, race) {
    const nav = $("races");
    nav.hidden = views.standings.length < 2;
    if (nav.hidden) return;
    nav.replaceChildren(
      ...views.standings.map((table) => {
        const button = el("button", { type: "button", "data-race": table.race }, table.title);
        button.classList.toggle("current", table.race === race);
        button.classList.toggle("is-live", table.status === "live");
        button.onclick = () => {
          page.pinnedRace = table.race === page.pinnedRace ? null : table.race;
          render(page);
        };
        return button;
      }),
    );
  }

  function drawHeader(page, race, state, table) {
    const info = page.infos.get(race);
    $("championship").textContent = info ? info.championship : "";
    const heading = info ? [info.event, info.round].filter(Boolean).join(" · ") : "";
    $("event").textContent = heading || table.title;
    $("venue").textContent = info ? info.venue : "";
    const badge = $("status");
    badge.textContent = STATUS_LABELS[table.status] || table.status.toUpperCase();
    badge.dataset.status = table.status;
    badge.className = `badge badge-${table.status}`;
    const laps = $("laps");
    let lapsText = "";
    if (table.status === "live" && state.laps_to_go !== null && state.laps_to_go > 0) {
      lapsText = state.laps_to_go === 1 ? "BELL" : `${state.laps_to_go} laps to go`;
    }
    laps.textContent = lapsText;
    laps.classList.toggle("bell", lapsText === "BELL");
    const prefix = lapsText || STATUS_LABELS[table.status] || "";
    document.title = `${prefix} ${heading || table.title}`.trim();
  }

  /** The strip under the header: start list, leader, photo under review, or the winner. */
  function drawLeader(state, table) {
    const strip = $("leader");
    const winners = table.rows.filter((row) => row.place === 1);
    let athlete = null;
    let kind;
    let parts;
    if (table.notice && table.photo_finish === "under_review") {
      kind = "photo";
      const names = table.rows.filter((row) => row.under_review).map((row) => row.name);
      parts = [
        el("span", { class: "leader-label" }, table.notice),
        el("span", { class: "leader-detail" }, names.join(" · ")),
      ];
    } else if (table.winner_label && winners.length > 0) {
      kind = table.status === "live" ? "first" : "winner";
      athlete = winners[0].athlete_id;
      parts = [
        el("span", { class: "leader-label" }, table.winner_label),
        el("span", { class: "leader-name" }, winners.map((row) => row.name).join(" & ")),
        nationChip(winners[0].nation),
        el("span", { class: "leader-detail" }, winners[0].time || ""),
      ];
      const next = table.rows.filter((row) => row.place !== null && row.place > 1).slice(0, 2);
      parts.push(chasers(next.map((row) => [row.place, row.name, row.gap_text])));
    } else if (state.leader !== null) {
      kind = "leader";
      const runner = state.order.find((r) => r.athlete_id === state.leader);
      athlete = state.leader;
      parts = [
        el("span", { class: "leader-label" }, "Leader"),
        el("span", { class: "leader-name" }, runner ? runner.name : state.leader),
        runner ? nationChip(runner.nation) : "",
        el("span", { class: "leader-detail" }, runner ? `at ${runner.distance_m} m` : ""),
      ];
      const next = state.order
        .filter((r) => r.athlete_id !== athlete && r.status === "running" && r.gap_text)
        .slice(0, 2);
      parts.push(chasers(next.map((r) => [r.position, r.name, r.gap_text])));
    } else {
      kind = table.status === "start_list" ? "start" : "waiting";
      const count = state.start_list.length || state.order.length;
      parts = [
        el("span", { class: "leader-label" }, table.status === "start_list" ? "Start list" : "Under way"),
        el("span", { class: "leader-detail" }, `${count} athlete${count === 1 ? "" : "s"}`),
        ...state.records.map((r) => el("span", { class: "record-chip" }, `${r.kind} ${r.time_text}`)),
      ];
    }
    if (table.notice && kind !== "photo") {
      parts.push(el("span", { class: "leader-notice" }, table.notice));
    }
    strip.replaceChildren(...parts);
    strip.dataset.athlete = athlete || "";
    strip.dataset.state = kind;
    if (athlete !== null && seen.leader !== null && athlete !== seen.leader) flash(strip);
    if (athlete !== null) seen.leader = athlete;
  }

  function chasers(next) {
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

  function drawStartList(state) {
    $("startlist-note").textContent = `${state.start_list.length} athletes · before the gun`;
    $("records").replaceChildren(
      ...state.records.map((r) =>
        el(
          "span",
          { class: "record", "data-kind": r.kind },
          el("b", {}, r.kind),
          ` ${r.time_text}`,
          r.holder ? el("span", { class: "holder" }, ` ${r.holder}`) : "",
        ),
      ),
    );
    $("records").hidden = state.records.length === 0;
    const rows = state.start_list.map((entry) => {
      const tr = el(
        "tr",
        { "data-athlete": entry.athlete_id, "data-order": String(entry.order) },
        el("td", { class: "num pos" }, el("span", { class: "pos-box order" }, String(entry.order))),
        el("td", { class: "num bib" }, String(entry.bib)),
        el("td", { class: "name" }, ...nameCell(entry.name)),
        el("td", { class: "nat" }, nationChip(entry.nation)),
        el("td", { class: "num time" }, entry.pb_text || "–"),
        el("td", { class: "num time" }, entry.sb_text || "–"),
      );
      if (entry.dns) tr.classList.add("out");
      return tr;
    });
    $("startlist").tBodies[0].replaceChildren(...rows);
  }

  function drawOrder(state) {
    const rows = state.order.map((runner) => {
      const out = OUT_OF_RACE[runner.status];
      const before = seen.order.get(runner.athlete_id);
      let where = "";
      if (out) where = out;
      else if (runner.status === "finished") where = "Fin";
      else if (runner.elapsed_ms !== null) where = `${runner.distance_m} m`;
      const tr = el(
        "tr",
        {
          "data-athlete": runner.athlete_id,
          "data-status": runner.status,
          "data-position": runner.position === null ? "" : String(runner.position),
          "data-under-review": runner.under_review ? "true" : "false",
        },
        el("td", { class: "num pos" }, el("span", { class: "pos-box" }, text(runner.position))),
        el("td", { class: "num bib" }, String(runner.bib)),
        el(
          "td",
          { class: "name" },
          ...nameCell(runner.name),
          runner.under_review ? photoFlag("inline") : "",
          runner.incident ? incidentMarker(runner.incident, "inline") : "",
        ),
        el("td", { class: "nat" }, nationChip(runner.nation)),
        el("td", { class: "num at" }, where),
        el("td", { class: "num time" }, estimate(runner, runner.time_text)),
        el("td", { class: "num gap" }, estimate(runner, runner.gap_text)),
        el(
          "td",
          { class: "flag" },
          runner.under_review ? photoFlag() : "",
          runner.incident ? incidentMarker(runner.incident) : "",
        ),
      );
      if (out) tr.classList.add("out");
      if (runner.under_review) tr.classList.add("review");
      else if (runner.position === 1) tr.classList.add("first");
      if (before !== undefined && runner.position !== null && before !== null && runner.position < before) {
        tr.classList.add("moved-up");
      }
      return tr;
    });
    seen.order = new Map(state.order.map((r) => [r.athlete_id, r.position]));
    $("order").tBodies[0].replaceChildren(...rows);
    const front = state.order.find((r) => r.status === "running" || r.status === "finished");
    $("order-note").textContent = front && front.distance_m ? `front at ${front.distance_m} m` : "";
  }

  function drawResults(table) {
    $("results-title").textContent = `${table.title} · ${STATUS_LABELS[table.status] || table.status}`;
    const shown = table.rows.filter((row) => row.place !== null || row.mark !== null);
    const arrived = shown.filter((row) => !seen.results.has(row.athlete_id)).length;
    const fresh = arrived <= 3; // no fanfare for a whole table at once
    const rows = shown.map((row) => {
      const medal = row.medal ? ` medal-${row.medal}` : "";
      const tr = el(
        "tr",
        {
          "data-athlete": row.athlete_id,
          "data-place": row.place === null ? "" : String(row.place),
          "data-mark": row.mark || "",
          "data-medal": row.medal || "",
          "data-under-review": row.under_review ? "true" : "false",
        },
        el("td", { class: "num pos" }, el("span", { class: `pos-box${medal}` }, text(row.place))),
        el("td", { class: "name" }, ...nameCell(row.name)),
        el("td", { class: "nat" }, nationChip(row.nation)),
        el(
          "td",
          { class: "num time" },
          row.time || "",
          row.thousandths ? el("span", { class: "thousandths" }, row.thousandths) : "",
        ),
        el("td", { class: "num gap" }, row.gap_text),
        el("td", { class: "marks" }, el("span", { class: "marks-list" }, ...marks(row))),
      );
      if (row.mark) tr.classList.add("out");
      if (row.under_review) tr.classList.add("review");
      if (fresh && !seen.results.has(row.athlete_id)) tr.classList.add("fresh");
      return tr;
    });
    seen.results = new Set(shown.map((row) => row.athlete_id));
    $("results").tBodies[0].replaceChildren(...rows);
  }

  function drawSplits(state) {
    const splits = state.splits;
    const panel = $("splits-panel");
    panel.hidden = !splits || splits.leaders.length === 0;
    if (panel.hidden) return;
    const leaders = new Map(splits.leaders.map((lead) => [lead.distance_m, lead]));
    const found = splits.marks.map((mark) => leaders.get(mark) || null);
    const heading = (mark) => (mark === state.distance_m ? "Finish" : `${mark} m`);
    const head = el(
      "tr",
      {},
      el("th", { scope: "col" }, "Athlete"),
      ...splits.marks.map((mark) => el("th", { class: "num", scope: "col" }, heading(mark))),
    );
    const leadRow = (label, cell, cls) =>
      el(
        "tr",
        { class: `lead ${cls}` },
        el("th", { scope: "row" }, label),
        ...found.map((lead) => el("td", { class: "num" }, lead ? cell(lead) : "")),
      );
    $("splits").tHead.replaceChildren(
      head,
      leadRow("Leader", (lead) => lead.name, "lead-name"),
      leadRow("Time", (lead) => lead.time_text, "lead-time"),
      leadRow("Lap", (lead) => lead.lap_text, "lead-lap"),
    );
    const rows = splits.rows.map((row) =>
      el(
        "tr",
        { "data-athlete": row.athlete_id },
        el("th", { scope: "row", class: "name" }, ...nameCell(row.name)),
        ...row.cells.map((cell) =>
          el(
            "td",
            { class: "num split" },
            cell.time_text,
            cell.position !== null ? el("span", { class: "split-pos" }, String(cell.position)) : "",
            cell.lap_text ? el("span", { class: "split-lap" }, cell.lap_text) : "",
          ),
        ),
      ),
    );
    $("splits").tBodies[0].replaceChildren(...rows);
  }

  /** "Result" for a result's status line, "Status" for the others (start list, DNS). */
  function kindLabel(line) {
    if (line.kind === "status") return line.pinned ? "Result" : "Status";
    return KIND_LABELS[line.kind] || "";
  }

  function lineItem(line, race, titles, several) {
    const li = el(
      "li",
      {
        "data-seq": String(line.seq),
        "data-kind": line.kind,
        "data-race-ms": String(line.race_ms),
        class: `line kind-${line.kind}`,
      },
      el("time", { class: "line-clock", "data-race-ms": String(line.race_ms) }, line.clock),
      el(
        "div",
        { class: "line-body" },
        kindLabel(line) ? el("span", { class: "line-kind" }, kindLabel(line)) : "",
        several && line.race !== race && titles.has(line.race)
          ? el("span", { class: "line-race" }, `${titles.get(line.race)}: `)
          : "",
        el("span", { class: "line-text" }, line.text),
      ),
    );
    if (line.emphasis) li.classList.add("emphasis");
    if (line.pinned) li.classList.add("pinned");
    return li;
  }

  /** Key moments (pinned, oldest first) above the whole commentary (newest first). */
  function drawCommentary(page, views, race) {
    const lines = page.lines;
    const titles = new Map(views.standings.map((t) => [t.race, t.title]));
    const several = titles.size > 1;
    const pinned = lines.filter((line) => line.pinned);
    $("moments-box").hidden = pinned.length === 0;
    $("moments").replaceChildren(...pinned.map((line) => lineItem(line, race, titles, several)));
    const keyOf = (line) => `${line.seq}:${line.text}`;
    const arrived = lines.filter((line) => !seen.lines.has(keyOf(line))).length;
    const fresh = seen.lines.size > 0 && arrived <= 3; // a catch-up is not news
    const items = lines
      .slice()
      .reverse()
      .map((line) => {
        const li = lineItem(line, race, titles, several);
        if (fresh && !seen.lines.has(keyOf(line))) li.classList.add("fresh");
        return li;
      });
    seen.lines = new Set(lines.map(keyOf));
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

  // An interpolated split (`estimated`) is shown as the estimate it is.
  function estimate(runner, value) {
    return runner.estimated && value ? `~${value}` : value;
  }

  function text(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  /** The name, and its short form ("T. Cheruiyot") that narrow screens show instead. */
  function nameCell(name) {
    const parts = name.split(" ");
    const short = parts.length > 1 ? `${parts[0][0]}. ${parts.slice(1).join(" ")}` : name;
    return [
      el("span", { class: "name-text name-full" }, name),
      el("span", { class: "name-text name-short" }, short),
    ];
  }

  function nationChip(nation) {
    return el("span", { class: "nation", title: nation }, nation);
  }

  /** The red marker of an incident; the inline copy under the name is for narrow screens. */
  function incidentMarker(incident, extra = "") {
    const attributes = { class: `incident-marker ${extra}`.trim(), title: incident };
    return el("span", attributes, el("b", {}, "!"), incident);
  }

  /** The flag of a row under review; the inline copy under the name is for narrow screens. */
  function photoFlag(extra = "") {
    const attributes = { class: `photo-flag ${extra}`.trim(), title: "Photo finish - under review" };
    return el("span", attributes, "Photo");
  }

  function medalCount(count, medal) {
    return el("span", { class: count ? `medal-token ${medal}` : "medal-token zero" }, String(count));
  }

  function marks(row) {
    const chips = row.annotations.map((mark) => el("span", { class: `mark mark-${mark}` }, mark));
    if (row.mark !== null) {
      chips.push(el("span", { class: "mark mark-out" }, row.rule ? `${row.mark} ${row.rule}` : row.mark));
    }
    if (row.under_review) chips.push(photoFlag());
    if (row.incident) chips.push(incidentMarker(row.incident));
    return chips;
  }

  function flash(node) {
    node.classList.remove("flash");
    void node.offsetWidth; // restart the animation
    node.classList.add("flash");
  }

  window.RacefeedDraw = { render, focusRace, STATUS_LABELS };
})();
