// The inbox's only script: actions go to the control API with fetch() and JSON bodies; the
// server-sent event stream says when something changed, and changed regions ([data-live]) are
// refetched from the server and swapped in. No framework, no build step.
"use strict";

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // -- messages to the person -----------------------------------------------------------------
  let flashTimer = null;
  function flash(text, kind) {
    const box = $("#flash");
    if (!box) return;
    box.textContent = text;
    box.dataset.kind = kind || "error";
    box.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => { box.hidden = true; }, kind === "ok" ? 2500 : 8000);
  }

  function describeProblem(body, status) {
    if (!body || typeof body !== "object") return "The sandbox answered " + status + ".";
    let text = body.detail || body.title || "The sandbox answered " + status + ".";
    const invalid = body.invalid_parameters;
    if (Array.isArray(invalid) && invalid.length) {
      text += " " + invalid.map((p) => p.name + " " + p.reason).join("; ");
    }
    return text;
  }

  // -- the control API ------------------------------------------------------------------------
  // In-flight control calls, on <html data-pending>: a script (or a test) waits for it to go
  // before checking what the call caused, since the event stream can show a change first.
  let pending = 0;
  function track(delta) {
    pending += delta;
    if (pending > 0) document.documentElement.dataset.pending = String(pending);
    else delete document.documentElement.dataset.pending;
  }

  async function api(method, path, body) {
    track(1);
    try {
      return await call(method, path, body);
    } finally {
      track(-1);
    }
  }

  async function call(method, path, body) {
    const init = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      flash("The sandbox cannot be reached: " + err.message);
      throw err;
    }
    let data = null;
    const text = await response.text();
    if (text) {
      try { data = JSON.parse(text); } catch (_) { data = null; }
    }
    if (!response.ok) {
      flash(describeProblem(data, response.status));
      const err = new Error("HTTP " + response.status);
      err.body = data;
      throw err;
    }
    return data;
  }

  // -- live regions ---------------------------------------------------------------------------
  let refreshing = false;
  // Where keyboard focus belongs after an action (the clicked button is disabled while the
  // call runs, which drops focus to <body>): the same message's next button or its history.
  let pendingFocus = null;
  let again = false;
  let timer = null;

  function focusKey(el) {
    if (!el || el === document.body) return null;
    if (el.dataset && el.dataset.mark) return '[data-mark="' + el.dataset.mark + '"][data-uuid="' + el.dataset.uuid + '"]';
    if (el.dataset && el.dataset.resend) return '[data-resend="' + el.dataset.resend + '"]';
    if (el.id) return "#" + CSS.escape(el.id);
    return null;
  }

  function typing(region) {
    const el = document.activeElement;
    return el && region.contains(el) && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  function swap(region, fresh) {
    if (region.innerHTML === fresh.innerHTML) return false;
    if (typing(region)) { schedule(1000); return false; }
    const open = $$("details[open][id]", region).map((d) => d.id);
    let focused = region.contains(document.activeElement) ? document.activeElement : null;
    let key = focusKey(focused);
    let uuid = focused && focused.dataset ? focused.dataset.uuid : null;
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost && pendingFocus && region.contains(pendingFocus.el)) {
      focused = pendingFocus.el;
      key = null;
      uuid = pendingFocus.uuid;
    }
    const thread = region.classList.contains("thread");
    const atBottom = thread && region.scrollHeight - region.scrollTop - region.clientHeight < 40;
    region.innerHTML = fresh.innerHTML;
    open.forEach((id) => { const d = document.getElementById(id); if (d) d.open = true; });
    if (focused) {
      let target = key ? $(key, region) : null;
      if (!target && uuid) target = $('[data-mark][data-uuid="' + uuid + '"]', region);
      if (!target && uuid) target = $("#h-" + CSS.escape(uuid) + " summary", region);
      if (target) target.focus();
      pendingFocus = null;
    }
    if (thread && atBottom) region.scrollTop = region.scrollHeight;
    return true;
  }

  async function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      const response = await fetch(location.href, { headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      let threadChanged = false;
      $$("[data-live][id]").forEach((region) => {
        const fresh = doc.getElementById(region.id);
        if (fresh && swap(region, fresh) && region.id === "thread") threadChanged = true;
      });
      startClock();
      if (threadChanged) markSeen();
      document.dispatchEvent(new CustomEvent("inbox:refreshed"));
    } catch (_) {
      // The server went away (restart): the event stream reconnects and triggers a refresh.
    } finally {
      refreshing = false;
      if (again) { again = false; schedule(0); }
    }
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay === undefined ? 60 : delay);
  }

  // -- the event stream -----------------------------------------------------------------------
  const KINDS = [
    "message.created", "message.status", "message.inbound", "message.updated",
    "clock.moved", "application.updated", "workflow.updated", "webhook.updated",
    "reset", "conversation.seen", "resync", "error",
  ];

  function connect() {
    if (!window.EventSource) return;
    const dot = $("#live");
    const source = new EventSource("/_sandbox/events");
    source.onopen = () => {
      if (dot) { dot.dataset.state = "open"; dot.title = "Live: updates arrive as they happen"; }
      schedule(0); // whatever happened while disconnected
    };
    source.onerror = () => {
      if (dot) { dot.dataset.state = "closed"; dot.title = "Not live: reconnecting"; }
    };
    KINDS.forEach((kind) => source.addEventListener(kind, () => schedule()));
    window.addEventListener("pagehide", () => source.close());
  }

  // -- the clock ------------------------------------------------------------------------------
  let clockTimer = null;
  function startClock() {
    clearInterval(clockTimer);
    const now = $("[data-now-ts]");
    if (!now || now.dataset.mode !== "live") return;
    const base = parseFloat(now.dataset.nowTs);
    const loaded = Date.now() / 1000;
    const out = $("#clock-now");
    clockTimer = setInterval(() => {
      const t = new Date((base + Date.now() / 1000 - loaded) * 1000).toISOString();
      out.textContent = t;
      out.setAttribute("datetime", t);
    }, 1000);
  }

  async function advance(body) {
    const result = await api("POST", "/_sandbox/clock/advance", body);
    const moved = result && result.moved;
    if (moved) flash("Moved " + Math.round(moved.seconds) + " s to " + moved.to + "; " + moved.fired + " timer(s) fired.", "ok");
    schedule(0);
  }

  // -- actions --------------------------------------------------------------------------------
  function composeBody(form) {
    const data = new FormData(form);
    const type = data.get("message_type") || "text";
    const body = {
      channel: form.dataset.channel || data.get("channel"),
      from: form.dataset.from || data.get("from"),
      message_type: type,
    };
    const to = form.dataset.to || data.get("to");
    if (to) body.to = to;
    if (type === "text") body.text = data.get("text") || "";
    else if (type === "html") body.html = { body: data.get("text") || "" };
    else if (type === "location") body.location = { lat: parseFloat(data.get("lat")), long: parseFloat(data.get("long")) };
    else body[type] = { url: data.get("url") || "" };
    const subject = data.get("subject");
    if (subject !== null) body.email = { subject: subject };
    return body;
  }

  function showComposerFields(form) {
    const select = $("select[name=message_type]", form);
    if (!select) return;
    const type = select.value;
    $$("[data-for]", form).forEach((el) => {
      el.hidden = !el.dataset.for.split(" ").includes(type);
    });
  }

  async function markSeen() {
    const phone = $(".phone[data-channel]");
    if (!phone || !$('.msg[data-direction="inbound"]', phone)) return;
    try {
      await fetch("/_sandbox/conversations/seen", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ channel: phone.dataset.channel, peer: phone.dataset.peer }),
      });
    } catch (_) { /* unread counts are cosmetic */ }
  }

  document.addEventListener("click", async (ev) => {
    const target = ev.target instanceof Element ? ev.target : null;
    if (!target) return;
    const mark = target.closest("[data-mark]");
    if (mark) {
      const body = { status: mark.dataset.mark, by: "ui" };
      if (body.status === "rejected" || body.status === "undeliverable") {
        const code = $("#error-code");
        if (code && code.value) body.error_code = parseInt(code.value, 10);
      }
      pendingFocus = { el: mark, uuid: mark.dataset.uuid };
      mark.disabled = true;
      try {
        await api("POST", "/_sandbox/messages/" + encodeURIComponent(mark.dataset.uuid) + "/status", body);
      } catch (_) { mark.disabled = false; }
      schedule(0);
      return;
    }
    const tap = target.closest("[data-tap]");
    if (tap) {
      tap.disabled = true;
      try {
        await api("POST", "/_sandbox/messages/" + encodeURIComponent(tap.dataset.uuid) + "/tap", { suggestion: parseInt(tap.dataset.tap, 10) });
        flash("Tapped: the app got the user's answer.", "ok");
      } catch (_) { /* flashed */ }
      tap.disabled = false;
      schedule(0);
      return;
    }
    const clock = target.closest("[data-clock]");
    if (clock) {
      clock.disabled = true;
      try { await advance({ to: clock.dataset.clock }); } catch (_) { /* flashed */ }
      clock.disabled = false;
      return;
    }
    const mode = target.closest("[data-clock-mode]");
    if (mode) {
      try { await api("PUT", "/_sandbox/clock", { mode: mode.dataset.clockMode }); } catch (_) { /* flashed */ }
      schedule(0);
      return;
    }
    const resend = target.closest("[data-resend]");
    if (resend) {
      resend.disabled = true;
      try {
        await api("POST", "/_sandbox/webhooks/" + encodeURIComponent(resend.dataset.resend) + "/resend", {});
        flash("Resent.", "ok");
      } catch (_) { /* flashed */ }
      resend.disabled = false;
      schedule(0);
    }
  });

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.matches("[data-advance]")) {
      ev.preventDefault();
      const data = new FormData(form);
      const seconds = parseFloat(data.get("amount")) * parseFloat(data.get("unit"));
      if (!(seconds >= 0)) { flash("Say how far to move the clock."); return; }
      try { await advance({ seconds: seconds }); } catch (_) { /* flashed */ }
    } else if (form.matches("[data-compose]")) {
      ev.preventDefault();
      const button = $("button[type=submit]", form);
      button.disabled = true;
      try {
        const message = await api("POST", "/_sandbox/inbound", composeBody(form));
        $$("textarea, input[name=url]", form).forEach((el) => { el.value = ""; });
        if (!form.dataset.channel && message) {
          location.href = "/conversation?channel=" + encodeURIComponent(message.channel) + "&peer=" + encodeURIComponent(message.from);
          return;
        }
      } catch (_) { /* flashed */ }
      button.disabled = false;
      schedule(0);
    }
  });

  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (el instanceof HTMLSelectElement && el.name === "message_type" && el.form) showComposerFields(el.form);
  });

  document.addEventListener("keydown", (ev) => {
    // Enter sends from the composer's one-line text box; Shift+Enter makes a new line.
    const el = ev.target;
    if (ev.key === "Enter" && !ev.shiftKey && el instanceof HTMLTextAreaElement && el.form && el.form.dataset.channel) {
      ev.preventDefault();
      el.form.requestSubmit();
    }
  });

  function init() {
    $$("form[data-compose]").forEach(showComposerFields);
    const thread = $("#thread");
    if (thread) thread.scrollTop = thread.scrollHeight;
    startClock();
    markSeen();
    connect();
    document.documentElement.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
