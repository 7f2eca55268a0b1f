// The racefeed protocol client: one subscription kept whole over connections that come
// and go, folded into fold.mjs as it goes (docs/protocol.md, docs/faults.md).
//
// Two layers, as in the Python SDK:
//
// - `ClientProtocol` (a port of feed/protocol/client.py) is sans-I/O: it takes each
//   decoded frame with `receive(frame, now)` and answers with what to do (apply an
//   event, reset to a snapshot, resubscribe, give up, ...). It decides dedupe, the
//   reorder window, gaps, epochs and the resume point, and holds no socket or timer.
// - `Feed` (a port of feed/client/link.py and sdk.py) runs it over a WebSocket:
//   connect, subscribe, reconnect with exponential backoff and full jitter, resume
//   with `from_seq` and `epoch`, arm the reorder timer, and a liveness watchdog
//   that reconnects when the server has said nothing (not even a heartbeat) for a
//   few heartbeat intervals.
//
// Only standard web APIs are used (WebSocket, setTimeout, JSON): a browser page can
// import this module as well as Node 20 with `--experimental-websocket`.

import { Fold } from "./fold.mjs";

/** Error codes after which retrying cannot help (feed/wire/rules.py, `fatal`). */
export const FATAL_CODES = new Set([
  "bad_json",
  "bad_message",
  "unknown_op",
  "binary_frame",
  "frame_too_large",
  "unknown_session",
  "unknown_scenario",
  "unauthorized",
]);

/**
 * The deliberately broken variants of this client (see README.md), one at a time.
 * Each is a minimal deviation from the right behaviour, for the conformance suite
 * to catch; `null` is the right client.
 */
export const BROKEN_VARIANTS = [
  "ranks-by-last-split",
  "ignores-photo-finish",
  "applies-duplicates",
  "drops-reordered",
  "ignores-epochs",
];

/**
 * One follower of one session, sans-I/O (feed/protocol/client.py).
 *
 * Outputs, in order, as plain objects: `{kind: "apply", event}`, `{kind: "reset",
 * snapshot}`, `{kind: "resubscribe", message}`, `{kind: "notice", message}`,
 * `{kind: "fatal", error}`, `{kind: "ended", message}`.
 */
export class ClientProtocol {
  /**
   * @param {object} first the first subscribe message (without `op`: added here).
   * @param {object} options `reorderWindow` events held while a missing one may
   *   still come, for at most `reorderWaitMs`; `broken` a variant name or null.
   */
  constructor(first, { reorderWindow = 64, reorderWaitMs = 200, broken = null } = {}) {
    this.first = { op: "subscribe", ...first };
    this.lastSeq = first.from_seq ? first.from_seq - 1 : 0; // the watermark
    this.epoch = first.epoch ?? null;
    this.ended = false;
    this.broken = broken;
    this.stats = {
      delivered: 0,
      connects: 0,
      duplicates_dropped: 0,
      gaps_detected: 0,
      reordered: 0,
      snapshots_taken: 0,
      too_slow: 0,
    };
    this.window = reorderWindow;
    this.waitMs = reorderWaitMs;
    this.ahead = new Map(); // seq -> event that came before the one it waits for
    this.aheadSince = null;
    this.asked = false; // a resubscribe is on its way: wait for its answer
    this.resuming = false; // a subscription was made: the next one is a resume
  }

  /** A new connection is open: the subscribe to send on it. */
  connected() {
    this.stats.connects += 1;
    this.#forgetAhead();
    this.asked = false;
    return this.subscribeMessage();
  }

  /** The subscribe that carries on from where this client is (the resume point). */
  subscribeMessage() {
    if (!this.resuming) return { ...this.first };
    const message = { ...this.first, from_seq: this.lastSeq + 1, epoch: this.epoch };
    delete message.from_race_ms;
    delete message.live;
    delete message.snapshot;
    return message;
  }

  /** Take one decoded frame (an object or an array of envelopes); what to do about it. */
  receive(frame, now) {
    const out = [];
    if (Array.isArray(frame)) {
      for (const event of frame) this.#event(event, now, out);
      return out;
    }
    if (frame === null || typeof frame !== "object") return out;
    if ("type" in frame) {
      this.#event(frame, now, out);
      return out;
    }
    switch (frame.op) {
      case "subscribed":
        this.asked = false;
        this.resuming = true;
        this.epoch = frame.epoch;
        out.push({ kind: "notice", message: frame });
        break;
      case "snapshot":
        if (this.broken === "ignores-epochs") {
          // BROKEN (ignores-epochs): a snapshot (sent on a new epoch, or after a resume
          // the server could not serve) does not reset anything: the fold and the
          // watermark are kept, so the new epoch's seqs look like duplicates until
          // they pass the old watermark. Only the epoch number is taken.
          this.epoch = frame.epoch;
          out.push({ kind: "notice", message: frame });
          break;
        }
        this.#forgetAhead();
        this.lastSeq = frame.seq;
        this.epoch = frame.epoch;
        this.stats.snapshots_taken += 1;
        out.push({ kind: "reset", snapshot: frame });
        break;
      case "replay_state":
        if (this.epoch !== null) this.epoch = frame.epoch;
        out.push({ kind: "notice", message: frame });
        break;
      case "heartbeat":
      case "caught_up":
        if (frame.head_seq > this.lastSeq && frame.epoch === this.epoch) {
          this.#gap(out); // the newest events never came
        }
        out.push({ kind: "notice", message: frame });
        break;
      case "end":
        if (frame.head_seq > this.lastSeq && frame.epoch === this.epoch) {
          // The last events never came: the server closes next, and a resume gets them.
          this.stats.gaps_detected += 1;
        } else {
          this.ended = true;
          out.push({ kind: "ended", message: frame });
        }
        break;
      case "error":
        if (FATAL_CODES.has(frame.code)) {
          out.push({ kind: "fatal", error: frame });
        } else {
          // stale_epoch / unreachable_seq: the snapshot that follows resets the state;
          // too_slow and the other closing errors: a resume from lastSeq + 1 goes on.
          if (frame.code === "too_slow") this.stats.too_slow += 1;
          out.push({ kind: "notice", message: frame });
        }
        break;
      default:
        out.push({ kind: "notice", message: frame }); // unsubscribed, pong, views, ...
    }
    return out;
  }

  /** The missing seq the held events wait for did not come in time: ask for it. */
  tick(now) {
    const out = [];
    if (this.ahead.size && this.aheadSince !== null && now >= this.#deadline()) this.#gap(out);
    return out;
  }

  /** When `tick` is due (null: nothing is held). */
  nextDeadline() {
    return this.ahead.size ? this.#deadline() : null;
  }

  #deadline() {
    return this.aheadSince + this.waitMs;
  }

  #event(event, now, out) {
    const seq = event.seq;
    if (this.broken === "drops-reordered") {
      // BROKEN (drops-reordered): no reorder window. An event is applied as soon as it
      // comes, even past a hole, and one that comes after a later seq (lower than the
      // next one expected) is thrown away instead of being held or asked for again.
      if (seq <= this.lastSeq) {
        this.stats.duplicates_dropped += 1;
        return;
      }
      this.#apply(event, out);
      return;
    }
    if (this.broken === "applies-duplicates") {
      // BROKEN (applies-duplicates): no dedupe. An event whose seq was applied already
      // is applied again, as if it were new (the fold of this variant lists a finish
      // applied twice twice: see fold.mjs).
      if (seq <= this.lastSeq) {
        this.#apply(event, out);
        return;
      }
    }
    if (seq <= this.lastSeq || this.ahead.has(seq)) {
      this.stats.duplicates_dropped += 1;
      return;
    }
    if (seq > this.lastSeq + 1) {
      if (this.asked) return; // in flight before the new subscription: it sends this again
      this.ahead.set(seq, event);
      if (this.aheadSince === null) this.aheadSince = now;
      if (this.ahead.size > this.window) this.#gap(out);
      return;
    }
    this.#apply(event, out);
    while (this.ahead.size) {
      const following = this.ahead.get(this.lastSeq + 1);
      if (following === undefined) return;
      this.ahead.delete(this.lastSeq + 1);
      this.stats.reordered += 1;
      this.#apply(following, out);
    }
    this.#forgetAhead();
  }

  #apply(event, out) {
    this.lastSeq = event.seq;
    this.stats.delivered += 1;
    out.push({ kind: "apply", event });
  }

  /** Ask again from the first seq missing, once per answer; held events come again. */
  #gap(out) {
    this.#forgetAhead();
    if (!this.asked) {
      this.asked = true;
      this.stats.gaps_detected += 1;
      out.push({ kind: "resubscribe", message: this.subscribeMessage() });
    }
  }

  #forgetAhead() {
    this.ahead.clear();
    this.aheadSince = null;
  }
}

const LENIENT = new Set(["applies-duplicates", "drops-reordered"]);

const now = () => (globalThis.performance ? performance.now() : Date.now());

/**
 * A live subscription to one session, folded as it comes (feed/client/sdk.py).
 *
 *   const feed = new Feed("ws://127.0.0.1:8765/", { session: "main" });
 *   feed.start();
 *   feed.fold.shown();   // what it shows now; feed.epoch, feed.lastSeq
 *
 * Options: `session`; `broken` (a variant of BROKEN_VARIANTS, or null);
 * `backoff` {initialMs, maximumMs, attempts} between reconnects; `watchdogMs`, the
 * silence after which a connection is taken for dead before any heartbeat interval
 * is known (after that: 3 intervals); `log(message)`; `onChange(feed)` after every
 * frame that changed something; `onFatal(error)`; `WebSocket` (the class to use).
 */
export class Feed {
  constructor(url, options = {}) {
    this.url = url;
    this.session = options.session ?? "main";
    this.broken = options.broken ?? null;
    this.backoff = { initialMs: 50, maximumMs: 2000, attempts: 20, ...options.backoff };
    this.watchdogMs = options.watchdogMs ?? 45000;
    this.minWatchdogMs = options.minWatchdogMs ?? 1500;
    this.log = options.log ?? (() => {});
    this.onChange = options.onChange ?? (() => {});
    this.onFatal = options.onFatal ?? (() => {});
    this.WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.protocol = new ClientProtocol(
      { session: this.session, ...options.subscribe },
      { broken: this.broken },
    );
    this.fold = new Fold({ broken: this.broken });
    this.replayState = null;
    this.failure = null; // set when the feed gave up
    this.ws = null;
    this.closed = false;
    this.failures = 0; // consecutive connections that got nowhere
    this.reorderTimer = null;
    this.reconnectTimer = null;
    this.watchdogTimer = null;
    this.lastFrameAt = 0;
    this.lastBeatAt = null;
    this.beatMs = null; // the shortest interval seen between two heartbeats
  }

  /** The epoch of what is applied (null before subscribing). */
  get epoch() {
    return this.protocol.epoch;
  }

  /** The last seq applied (0 before any). */
  get lastSeq() {
    return this.fold.head_seq;
  }

  get ended() {
    return this.protocol.ended;
  }

  /** Connect and follow until the end of the replay, `close()` or a fatal error. */
  start() {
    this.#connect();
    return this;
  }

  /** Stop following and close the connection. */
  close() {
    this.closed = true;
    this.#stopTimers();
    if (this.ws) {
      try {
        this.ws.close(1000);
      } catch {
        // already closing
      }
    }
  }

  /** Send a message on the open connection (a `control`, a `ping`); false when not open. */
  send(message) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  #connect() {
    if (this.closed || this.ended || this.failure) return;
    let ws;
    try {
      ws = new this.WebSocket(this.url);
    } catch (error) {
      this.log(`cannot open ${this.url}: ${error.message}`);
      this.#lost(null, 0);
      return;
    }
    this.ws = ws;
    const delivered = this.protocol.stats.delivered;
    ws.onopen = () => {
      this.#feedWatchdog();
      ws.send(JSON.stringify(this.protocol.connected()));
    };
    ws.onmessage = (message) => {
      if (ws !== this.ws) return; // a connection given up on
      this.#feedWatchdog();
      let frame;
      try {
        frame = JSON.parse(typeof message.data === "string" ? message.data : String(message.data));
      } catch (error) {
        this.log(`not JSON from the server: ${error.message}`);
        return;
      }
      this.#act(this.protocol.receive(frame, now()));
    };
    ws.onerror = () => {}; // a close follows, with its code
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.#lost(event, delivered);
    };
  }

  /** A connection ended: reconnect with backoff unless the replay is over. */
  #lost(event, deliveredBefore) {
    this.#stopWatchdog();
    this.#stopReorderTimer();
    if (this.closed || this.ended || this.failure) return;
    // A connection that got somewhere before it dropped starts a new count.
    this.failures = this.protocol.stats.delivered > deliveredBefore ? 1 : this.failures + 1;
    const { initialMs, maximumMs, attempts } = this.backoff;
    if (attempts !== null && this.failures > attempts) {
      this.#fail({ code: "unavailable", message: `no server answered after ${this.failures} attempts` });
      return;
    }
    const delay = Math.random() * Math.min(maximumMs, initialMs * 2 ** (this.failures - 1));
    const why = event ? `closed ${event.code}${event.reason ? ` ${event.reason}` : ""}` : "failed";
    this.log(`connection ${why}; reconnecting in ${Math.round(delay)} ms from seq ${this.protocol.lastSeq + 1}`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.#connect();
    }, delay);
  }

  #act(outputs) {
    let changed = false;
    for (const output of outputs) {
      switch (output.kind) {
        case "apply":
          // The protocol hands events over in seq order; only the broken variants that
          // skip its bookkeeping need a fold that takes any seq.
          this.fold.apply(output.event, { strict: !LENIENT.has(this.broken) });
          changed = true;
          break;
        case "reset":
          this.fold = Fold.fromState(output.snapshot.state, { broken: this.broken });
          this.log(`snapshot: epoch ${output.snapshot.epoch} at seq ${output.snapshot.seq}`);
          changed = true;
          break;
        case "resubscribe":
          this.log(`events missing after seq ${this.protocol.lastSeq}: resubscribing`);
          this.send(output.message);
          break;
        case "fatal":
          this.#fail(output.error);
          return;
        case "ended":
          this.log(`the replay is over at seq ${output.message.head_seq}`);
          changed = true;
          break;
        case "notice":
          changed = this.#notice(output.message) || changed;
          break;
        default:
          break;
      }
    }
    this.#armReorderTimer();
    if (changed) this.onChange(this);
  }

  #notice(message) {
    switch (message.op) {
      case "replay_state":
        this.replayState = message;
        return true;
      case "subscribed":
        return true;
      case "heartbeat": {
        const at = now();
        if (this.lastBeatAt !== null) {
          const interval = at - this.lastBeatAt;
          if (interval > 100 && (this.beatMs === null || interval < this.beatMs)) {
            this.beatMs = interval;
          }
        }
        this.lastBeatAt = at;
        return false;
      }
      case "error":
        this.log(`server error ${message.code}: ${message.message}`);
        return false;
      default:
        return false;
    }
  }

  #fail(error) {
    this.failure = error;
    this.log(`giving up: ${error.code}: ${error.message}`);
    this.close();
    this.closed = false; // not closed by the application
    this.onFatal(error);
  }

  // -- timers ---------------------------------------------------------------------------

  #armReorderTimer() {
    this.#stopReorderTimer();
    const deadline = this.protocol.nextDeadline();
    if (deadline === null) return;
    this.reorderTimer = setTimeout(() => {
      this.reorderTimer = null;
      this.#act(this.protocol.tick(now()));
    }, Math.max(0, deadline - now()));
  }

  #stopReorderTimer() {
    if (this.reorderTimer !== null) clearTimeout(this.reorderTimer);
    this.reorderTimer = null;
  }

  /** How long a connection may stay silent: 3 heartbeat intervals once one is known. */
  #silenceMs() {
    return this.beatMs === null ? this.watchdogMs : Math.max(this.minWatchdogMs, 3 * this.beatMs);
  }

  #feedWatchdog() {
    this.lastFrameAt = now();
    if (this.watchdogTimer === null) this.#armWatchdog(this.#silenceMs());
  }

  #armWatchdog(ms) {
    const due = now() + ms;
    this.watchdogTimer = setTimeout(() => {
      this.watchdogTimer = null;
      const at = now();
      if (at - due > 1000) {
        // The timer is far late: this process was stopped (SIGSTOP, a laptop lid), not
        // the server. Read what waits on the socket before judging the connection.
        this.#armWatchdog(this.#silenceMs());
        return;
      }
      const silent = at - this.lastFrameAt;
      const limit = this.#silenceMs();
      if (silent < limit) {
        this.#armWatchdog(limit - silent);
        return;
      }
      if (this.ws) {
        this.log(`nothing from the server for ${Math.round(silent)} ms: reconnecting`);
        const ws = this.ws;
        this.ws = null;
        try {
          ws.close(4000, "silent");
        } catch {
          // closing anyway
        }
        this.#lost({ code: "watchdog", reason: "" }, this.protocol.stats.delivered);
      }
    }, ms);
  }

  #stopWatchdog() {
    if (this.watchdogTimer !== null) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = null;
  }

  #stopTimers() {
    this.#stopReorderTimer();
    this.#stopWatchdog();
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}
