// The /replay page: opens a flight recording (the JSON file `pytest --nexmo-sandbox-record DIR`
// writes for a failing test, see sandbox/testing/recorder.py) in the browser and steps through
// its timeline. The file never leaves the browser. A recording holds whatever the test sent, so
// everything from it goes into the page as text (textContent, attributes), never as HTML.
"use strict";

(function () {
  const FORMAT = "nexmo-sandbox-recording";
  const VERSION = 1;
  const KINDS = ["clock", "sent", "received", "status", "webhook"];
  const OUTCOMES = ["passed", "failed", "skipped", "error"];
  const BAD_STATUSES = ["rejected", "undeliverable", "failed", "expired"];
  const DEFAULT_SPEED = 800; // ms between entries while playing; <section data-speed> overrides

  const byId = (id) => document.getElementById(id);
  const section = byId("replay");
  if (!section) return;
  const input = byId("replay-file");
  const problem = byId("replay-error");
  const list = byId("replay-timeline");
  const playButton = section.querySelector('[data-replay="play"]');

  const state = { entries: [], items: [], shown: 0, timer: null };

  // -- helpers --------------------------------------------------------------------------------
  function text(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "string") return value;
    if (typeof value === "object") {
      try { return JSON.stringify(value); } catch (_) { return String(value); }
    }
    return String(value);
  }

  function el(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = text(content);
    return node;
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function objects(value) {
    return Array.isArray(value) ? value.filter(isObject) : [];
  }

  function setTime(node, iso) {
    const value = text(iso);
    node.textContent = value || "time unknown";
    if (value) node.setAttribute("datetime", value);
    else node.removeAttribute("datetime");
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  // -- loading --------------------------------------------------------------------------------
  function fail(kind, message) {
    stop();
    section.hidden = true;
    list.replaceChildren();
    state.entries = [];
    state.items = [];
    problem.dataset.problem = kind;
    problem.textContent = message;
    problem.hidden = false;
  }

  function checkRecording(doc, name) {
    if (!isObject(doc) || doc.format !== FORMAT) {
      return [
        "not-recording",
        name + " is not a nexmo-sandbox flight recording: its \"format\" is not \"" + FORMAT +
          "\". Open a file that pytest --nexmo-sandbox-record DIR wrote.",
      ];
    }
    if (doc.version !== VERSION) {
      return [
        "version",
        name + " is a flight recording of version " + text(doc.version) +
          "; this page reads version " + VERSION + ".",
      ];
    }
    if (!Array.isArray(doc.timeline)) {
      return ["not-recording", name + " is a flight recording without a timeline."];
    }
    return null;
  }

  async function openFile(file) {
    if (!file) return;
    const name = "“" + file.name + "”";
    let content;
    try {
      content = await file.text();
    } catch (err) {
      fail("unreadable", name + " could not be read: " + text(err && err.message));
      return;
    }
    let doc;
    try {
      doc = JSON.parse(content);
    } catch (err) {
      fail("not-json", name + " is not JSON (" + text(err && err.message) + "), so it is not a flight recording.");
      return;
    }
    const wrong = checkRecording(doc, name);
    if (wrong) {
      fail(wrong[0], wrong[1]);
      return;
    }
    load(doc, file.name);
  }

  function load(doc, fileName) {
    stop();
    problem.hidden = true;
    problem.textContent = "";
    delete problem.dataset.problem;

    byId("replay-test").textContent = text(doc.test) || "(no test id)";
    const outcome = byId("replay-outcome");
    outcome.textContent = text(doc.outcome) || "unknown";
    outcome.className = "badge outcome";
    if (OUTCOMES.includes(doc.outcome)) outcome.classList.add("outcome-" + doc.outcome);
    byId("replay-file-name").textContent = text(fileName);
    byId("replay-recorded").textContent = text(doc.recorded_at) || "unknown";
    byId("replay-sandbox").textContent = text(doc.sandbox) || "unknown";

    const clock = isObject(doc.clock) ? doc.clock : {};
    setTime(byId("replay-clock"), clock.now);
    byId("replay-clock-mode").textContent = clock.mode ? "(" + text(clock.mode) + ")" : "";

    const messages = objects(doc.messages);
    const webhooks = objects(doc.webhooks);
    const moves = objects(doc.clock_moves);
    byId("replay-counts").textContent = [
      plural(messages.length, "message", "messages"),
      plural(webhooks.length, "webhook delivery", "webhook deliveries"),
      plural(moves.length, "clock move", "clock moves"),
    ].join(", ");

    const failure = text(doc.failure);
    byId("replay-failure-text").textContent = failure || "(the recording holds no failure text)";
    byId("replay-failure").open = false;

    const pending = objects(clock.pending);
    byId("replay-pending-count").textContent = String(pending.length);
    const pendingList = byId("replay-pending-list");
    pendingList.replaceChildren(
      ...pending.map((t) => {
        const li = el("li");
        const due = el("time", "at");
        setTime(due, t.due);
        li.append(due, " ", el("span", "badge", t.kind), " ", el("span", "", t.description));
        return li;
      })
    );
    byId("replay-pending").open = false;

    const messagesById = new Map(messages.map((m) => [text(m.message_uuid), m]));
    const webhooksById = new Map(webhooks.map((d) => [text(d.id), d]));
    state.entries = objects(doc.timeline);
    const first = state.entries.find((e) => typeof e.at === "string");
    const start = first ? Date.parse(first.at) : NaN;
    const attemptsSeen = new Map();
    state.items = state.entries.map((entry, i) =>
      entryItem(entry, i, { messagesById, webhooksById, start, attemptsSeen })
    );
    list.replaceChildren(...state.items);
    byId("replay-empty").hidden = state.entries.length > 0;

    state.shown = 0;
    section.hidden = false;
    render();
  }

  // -- one timeline entry ---------------------------------------------------------------------
  function entryItem(entry, index, ctx) {
    const kind = text(entry.kind);
    const li = el("li", "replay-entry");
    li.dataset.index = String(index);
    li.dataset.kind = kind;
    if (KINDS.includes(kind)) li.classList.add("kind-" + kind);

    const at = el("time", "at");
    setTime(at, entry.at);
    const when = el("span", "when");
    when.append(el("span", "replay-n", "#" + (index + 1)), " ", at);
    const offset = typeof entry.at === "string" ? (Date.parse(entry.at) - ctx.start) / 1000 : NaN;
    if (Number.isFinite(offset)) when.append(" ", el("span", "muted offset", "+" + offset.toFixed(1) + " s"));
    li.append(when, el("span", "badge kind", kind || "?"), el("span", "summary", entry.summary));

    const ref = typeof entry.ref === "string" ? entry.ref : "";
    const message = ref ? ctx.messagesById.get(ref) : undefined;
    const webhook = ref && kind === "webhook" ? ctx.webhooksById.get(ref) : undefined;
    const refs = el("div", "replay-refs");
    if (webhook) {
      refs.append(jsonDetails("webhook", ref, webhook));
      const outcome = attemptOutcome(webhook, ref, ctx.attemptsSeen);
      if (outcome) li.dataset.outcome = outcome;
      const about = ctx.messagesById.get(text(webhook.message_uuid));
      if (about) refs.append(jsonDetails("message", text(webhook.message_uuid), about));
    } else if (message) {
      refs.append(jsonDetails("message", ref, message));
      if (kind === "status") {
        const status = text(entry.summary).split(" ")[0];
        li.dataset.outcome = BAD_STATUSES.includes(status) ? "failed" : "ok";
      }
    } else if (ref) {
      const missing = el("span", "muted", "ref ");
      missing.append(el("code", "", ref), " (not in this recording)");
      refs.append(missing);
    }
    if (refs.childNodes.length) li.append(refs);
    return li;
  }

  // The n-th webhook entry of a delivery is its n-th attempt (the timeline keeps their order).
  function attemptOutcome(webhook, ref, seen) {
    const attempts = objects(webhook.attempts);
    if (!attempts.length) return "none";
    const n = seen.get(ref) || 0;
    seen.set(ref, n + 1);
    const attempt = attempts[n];
    if (!attempt) return null;
    const code = attempt.status_code;
    const ok = (attempt.error === null || attempt.error === undefined) &&
      typeof code === "number" && code >= 200 && code < 300;
    return ok ? "ok" : "failed";
  }

  // A details element whose JSON is built the first time it opens.
  function jsonDetails(what, ref, value) {
    const details = el("details", "replay-ref");
    details.dataset.ref = ref;
    details.dataset.refKind = what;
    const summary = el("summary", "", what + " ");
    summary.append(el("code", "", ref.length > 12 ? ref.slice(0, 8) + "…" : ref), " JSON");
    details.append(summary);
    details.addEventListener("toggle", () => {
      if (!details.open || details.querySelector("pre")) return;
      details.append(el("pre", "payload", JSON.stringify(value, null, 2)));
    });
    return details;
  }

  // -- stepping -------------------------------------------------------------------------------
  function render() {
    const n = state.items.length;
    const shown = state.shown;
    state.items.forEach((li, i) => {
      li.hidden = i >= shown;
      const current = i === shown - 1;
      li.classList.toggle("current", current);
      if (current) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    });
    section.dataset.step = String(shown);
    byId("replay-position").textContent = "step " + shown + " of " + n;
    const at = byId("replay-at");
    if (shown === 0) {
      at.textContent = n ? "the start, before the first entry" : "nothing recorded";
      at.removeAttribute("datetime");
    } else {
      setTime(at, state.entries[shown - 1].at);
    }
    section.querySelector('[data-replay="back"]').disabled = shown === 0;
    section.querySelector('[data-replay="step"]').disabled = shown >= n;
    section.querySelector('[data-replay="all"]').disabled = shown >= n;
    playButton.disabled = n === 0;
    const playing = state.timer !== null;
    playButton.textContent = playing ? "Pause" : "Play";
    playButton.setAttribute("aria-pressed", playing ? "true" : "false");
    section.dataset.playing = playing ? "1" : "";
  }

  function go(shown) {
    state.shown = Math.max(0, Math.min(state.items.length, shown));
    render();
    const current = state.items[state.shown - 1];
    if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
  }

  function speed() {
    const value = parseInt(section.dataset.speed || "", 10);
    return Number.isFinite(value) && value >= 0 ? value : DEFAULT_SPEED;
  }

  function stop() {
    if (state.timer === null) return;
    clearTimeout(state.timer);
    state.timer = null;
    render();
  }

  function tick() {
    state.timer = null;
    if (state.shown >= state.items.length) { render(); return; }
    state.timer = setTimeout(tick, speed()); // set first: render() shows "Pause" while it plays
    go(state.shown + 1);
    if (state.shown >= state.items.length) stop();
  }

  function play() {
    if (state.timer !== null) { stop(); return; }
    if (state.shown >= state.items.length) state.shown = 0; // played through: from the top
    tick();
  }

  section.addEventListener("click", (ev) => {
    const button = ev.target instanceof Element ? ev.target.closest("[data-replay]") : null;
    if (!button || button.disabled) return;
    const action = button.dataset.replay;
    if (action === "play") { play(); return; }
    stop();
    if (action === "step") go(state.shown + 1);
    else if (action === "back") go(state.shown - 1);
    else if (action === "all") go(state.items.length);
  });

  // -- choosing or dropping a file ------------------------------------------------------------
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    await openFile(file);
    input.value = ""; // choosing the same (rewritten) file again opens it again
  });

  const drop = byId("replay-drop");
  const hasFiles = (ev) => ev.dataTransfer && Array.from(ev.dataTransfer.types || []).includes("Files");
  // Anywhere on the page: a file dropped next to the box opens here instead of navigating away.
  document.addEventListener("dragover", (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "copy";
    drop.classList.add("dragging");
  });
  document.addEventListener("dragleave", (ev) => {
    if (ev.target === document.documentElement || !ev.relatedTarget) drop.classList.remove("dragging");
  });
  document.addEventListener("drop", (ev) => {
    drop.classList.remove("dragging");
    const files = ev.dataTransfer && ev.dataTransfer.files;
    if (!files || !files.length) return;
    ev.preventDefault();
    openFile(files[0]);
  });
})();
