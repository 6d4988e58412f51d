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
    const atBottom = thread && nearEnd(region);
    const newestBefore = thread ? newestUuid(region) : null;
    region.innerHTML = fresh.innerHTML;
    open.forEach((id) => { const d = document.getElementById(id); if (d) d.open = true; });
    if (focused) {
      let target = key ? $(key, region) : null;
      if (!target && uuid) target = $('[data-mark][data-uuid="' + uuid + '"]', region);
      if (!target && uuid) target = $("#h-" + CSS.escape(uuid) + " summary", region);
      if (target) target.focus();
      pendingFocus = null;
    }
    // The newest bubble, history line and buttons included, in full view above the composer:
    // when the person was following the end of the thread, or when a new message arrived.
    if (thread && (atBottom || newestUuid(region) !== newestBefore)) revealNewest(region);
    return true;
  }

  // -- the end of the thread ------------------------------------------------------------------
  function newestBubble(thread) {
    const all = $$(".msgs > .msg", thread);
    return all.length ? all[all.length - 1] : null;
  }

  function newestUuid(thread) {
    const last = newestBubble(thread);
    return last ? last.dataset.uuid || null : null;
  }

  // Where the visible part of the thread ends: its own bottom, or the composer's top if that
  // comes first (a composer drawn over the thread).
  function visibleBottom(thread) {
    let bottom = thread.getBoundingClientRect().bottom;
    const composer = $(".composer");
    if (composer && !composer.hidden) bottom = Math.min(bottom, composer.getBoundingClientRect().top);
    return bottom;
  }

  // At the end, or with the newest bubble at least partly in view (an image that loaded late
  // can push the end down by more than a few pixels).
  function nearEnd(thread) {
    if (thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40) return true;
    const last = newestBubble(thread);
    return !!last && last.getBoundingClientRect().top < visibleBottom(thread);
  }

  function revealNewest(thread) {
    const last = newestBubble(thread);
    if (!last) { thread.scrollTop = thread.scrollHeight; return; }
    let over = last.getBoundingClientRect().bottom + 8 - visibleBottom(thread);
    // Never so far that an older message the person is working on (it has focus) goes out
    // of view at the top.
    const focused = document.activeElement;
    if (focused && focused !== document.body && thread.contains(focused) && !last.contains(focused)) {
      const mine = focused.closest(".msg") || focused;
      over = Math.min(over, mine.getBoundingClientRect().top - thread.getBoundingClientRect().top);
    }
    if (over > 0) thread.scrollTop += over;
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
        if (fresh) enhance(fresh); // as the page's own copy is, so that unchanged compares equal
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

  const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function clockDay(when) {
    return `${DAYS[when.getUTCDay()]} ${when.getUTCDate()} ${MONTHS[when.getUTCMonth()]} ${when.getUTCFullYear()}`;
  }
  function startClock() {
    clearInterval(clockTimer);
    const now = $("[data-now-ts]");
    if (!now || now.dataset.mode !== "live") return;
    const base = parseFloat(now.dataset.nowTs);
    const loaded = Date.now() / 1000;
    const out = $("#clock-now");
    clockTimer = setInterval(() => {
      const when = new Date((base + Date.now() / 1000 - loaded) * 1000);
      const t = when.toISOString();
      // As the server renders it (UTC): "Wed 2 Dec 2026 02:35:06", the ISO form in title.
      const date = document.createElement("span");
      date.className = "clock-date";
      date.textContent = clockDay(when);
      out.replaceChildren(date, " " + t.slice(11, 19));
      out.setAttribute("datetime", t);
      out.setAttribute("title", t);
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

  // -- copy buttons ---------------------------------------------------------------------------
  // Progressive enhancement: a "copy" button next to each full uuid shown in <code>, each
  // payload (<pre class="payload">) and each Authorization or signature header in one. Built
  // with createElement and textContent only; the text to copy is read when clicked. `enhance`
  // also runs on every refreshed region before it is compared, so both copies match.
  const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const SECRET_HEADER_RE = /^(authorization|[\w-]*signature[\w-]*):[ \t]*(.*)$/i;

  function copyButton(doc, label, kind, text, title) {
    const button = doc.createElement("button");
    button.type = "button";
    button.className = "copy copy-" + kind;
    button.dataset.copy = kind;
    if (text !== null) button.dataset.copyText = text;
    button.textContent = label;
    button.title = title;
    return button;
  }

  function enhance(root) {
    const doc = root.ownerDocument || root;
    $$("code", root).forEach((code) => {
      const text = code.textContent.trim();
      // Not in a <summary>: a click there meant to open the details could land on it.
      if (!UUID_RE.test(text) || code.closest("pre, button, summary, .copy-bar")) return;
      // After the link the uuid sits in, if any: a button inside <a> would follow the link.
      const anchor = code.closest("a") || code;
      const next = anchor.nextElementSibling;
      if (next && next.matches("button[data-copy]")) return;
      anchor.after(copyButton(doc, "copy", "uuid", text, "Copy the uuid " + text));
    });
    $$(".msgs > .msg[data-uuid] > details.history", root).forEach((details) => {
      if ($("button[data-copy]", details)) return;
      const uuid = details.parentElement.dataset.uuid;
      details.append(" ", copyButton(doc, "copy uuid", "uuid", uuid, "Copy the uuid " + uuid));
    });
    $$("pre.payload", root).forEach((pre) => {
      const prev = pre.previousElementSibling;
      if (prev && prev.classList.contains("copy-bar")) return;
      const bar = doc.createElement("div");
      bar.className = "copy-bar";
      const secrets = [];
      pre.textContent.split("\n").forEach((line) => {
        const found = SECRET_HEADER_RE.exec(line);
        if (found && found[2]) secrets.push([found[1], found[2].replace(/^Bearer\s+/i, "")]);
      });
      let what = secrets.length ? "headers" : "text";
      if (!secrets.length) { try { JSON.parse(pre.textContent); what = "JSON"; } catch (_) { /* text */ } }
      bar.append(copyButton(doc, "copy " + what, "payload", null, "Copy the " + what));
      secrets.forEach(([name, value]) => {
        const label = /^authorization$/i.test(name) ? "copy token" : "copy " + name;
        bar.append(copyButton(doc, label, "secret", value, "Copy the " + name + " value" + (label === "copy token" ? " (the JWT, without Bearer)" : "")));
      });
      pre.before(bar);
    });
  }

  function copySource(button) {
    if (button.dataset.copyText !== undefined) return button.dataset.copyText;
    const bar = button.closest(".copy-bar");
    const pre = bar ? bar.nextElementSibling : null;
    return pre ? pre.textContent : "";
  }

  let copiedTimer = null;
  async function copy(button) {
    const text = copySource(button);
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
      await navigator.clipboard.writeText(text);
    } catch (_) {
      flash("This browser does not let the page copy: select the text and copy it by hand.");
      return;
    }
    $$("button[data-copied]").forEach(restoreCopyLabel);
    button.dataset.label = button.textContent;
    button.dataset.copied = "";
    button.textContent = "copied";
    clearTimeout(copiedTimer);
    copiedTimer = setTimeout(() => $$("button[data-copied]").forEach(restoreCopyLabel), 1500);
  }

  function restoreCopyLabel(button) {
    if (button.dataset.label) button.textContent = button.dataset.label;
    delete button.dataset.label;
    delete button.dataset.copied;
  }

  // -- keyboard shortcuts ---------------------------------------------------------------------
  // Single keys, no modifiers, never while typing in a field. Letters act on the message that
  // has focus, else on the newest one that offers the action; each one clicks the button a
  // mouse would, so it behaves the same (error code, focus, live refresh).
  function currentMessage() {
    const el = document.activeElement;
    return el && el.closest ? el.closest(".msg[data-uuid], .mail-view[data-uuid]") : null;
  }

  function enabled(sel, root) {
    return $$(sel, root).filter((el) => !el.disabled && !el.closest("[hidden]"));
  }

  function newest(sel) {
    const here = currentMessage();
    const own = here ? enabled(sel, here) : [];
    if (own.length) return own[0];
    const all = enabled(sel);
    return all.length ? all[all.length - 1] : null;
  }

  function messageTarget() {
    return currentMessage() || newestBubble(document);
  }

  function bubbles() {
    return $$(".msgs > .msg[data-uuid]");
  }

  function focusMessage(msg) {
    const target = $("details.history > summary", msg) || $("a, button", msg);
    if (!target) return;
    target.focus();
    target.scrollIntoView({ block: "nearest" });
  }

  function stepMessage(delta) {
    const all = bubbles();
    if (!all.length) return;
    const here = currentMessage();
    let i = here ? all.indexOf(here) + delta : (delta > 0 ? 0 : all.length - 1);
    i = Math.max(0, Math.min(all.length - 1, i));
    focusMessage(all[i]);
  }

  function press(button) {
    button.focus();
    button.click();
  }

  function composerField() {
    const form = $("form[data-compose][data-channel]") || $("form.compose[data-compose]");
    if (!form) return null;
    const fields = $$("textarea, input:not([type=hidden]), select", form);
    return fields.find((el) => !el.hidden && el.name !== "message_type") || fields[0] || null;
  }

  function resendTarget() {
    const here = document.activeElement && document.activeElement.closest ? document.activeElement.closest(".delivery") : null;
    return (here && $("[data-resend]", here)) || $("details[open] [data-resend]");
  }

  function backLink() {
    // The message page's "← Conversation with …" link has no class: the first link to a
    // conversation in the page's own text (deliveries below have theirs in <li>).
    if (document.body.dataset.page === "message") return $('main > p > a[href^="/conversation?"]');
    return $(".phone-head a.back");
  }

  const MARK_KEYS = [["d", "delivered"], ["r", "read"], ["x", "rejected"], ["u", "undeliverable"]];
  const SHORTCUTS = [
    { keys: "/", label: "Find a message (search box)", find: () => $("#site-search"), run: (el) => { el.focus(); el.select(); } },
    { keys: "?", label: "Show or hide these shortcuts", find: () => document.body, run: toggleHelp },
    ...MARK_KEYS.map(([key, status]) => ({
      keys: key,
      label: "Mark " + status + " (as the handset)",
      find: () => newest('[data-mark="' + status + '"]'),
      run: press,
    })),
    {
      keys: "1–9",
      match: (key) => /^[1-9]$/.test(key),
      label: "Tap suggestion 1–9 (as the user)",
      find: (key) => {
        const here = currentMessage();
        const owner = here && enabled("[data-tap]", here).length ? here
          : enabled("[data-tap]").map((el) => el.closest(".msg")).pop();
        if (!owner) return null;
        const chips = enabled("[data-tap]", owner);
        return key ? chips[parseInt(key, 10) - 1] || null : chips[0] || null;
      },
      run: press,
    },
    { keys: "c", label: "Reply (write as the user)", find: composerField, run: (el) => { const d = el.closest("details"); if (d) d.open = true; el.focus(); } },
    { keys: "j", label: "Next message", find: () => bubbles()[0] || null, run: () => stepMessage(1) },
    { keys: "k", label: "Previous message", find: () => bubbles()[0] || null, run: () => stepMessage(-1) },
    { keys: "h", label: "Open or close the message's history", find: () => { const m = messageTarget(); return m ? $("details.history", m) : null; }, run: (d) => { d.open = !d.open; $("summary", d).focus(); } },
    { keys: "o", label: "Open the message's details and webhooks", find: () => { const m = messageTarget(); const a = m ? $('a[href^="/messages/"]', m) : null; return a && a.pathname !== location.pathname ? a : null; }, run: (a) => a.click() },
    { keys: "e", label: "Resend the open webhook", find: resendTarget, run: press },
    { keys: "b", label: "Back (to the conversation or the inbox)", find: backLink, run: (a) => a.click() },
    { keys: "n", label: "Clock: next timer", find: () => $('[data-clock="next"]'), run: press },
    { keys: "i", label: "Clock: run until idle", find: () => $('[data-clock="idle"]'), run: press },
    { keys: "p", label: "Clock: pause or run live", find: () => $("[data-clock-mode]"), run: press },
    { keys: "a", label: "Clock: advance by an amount", find: () => $("#adv-amount"), run: (el) => { el.focus(); el.select(); } },
  ];

  function shortcutFor(key) {
    return SHORTCUTS.find((s) => (s.match ? s.match(key) : s.keys === key)) || null;
  }

  function editable(el) {
    if (!el || !(el instanceof Element)) return false;
    return /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) || el.isContentEditable;
  }

  function helpDialog() {
    let dialog = $("#kbd-help");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "kbd-help";
    dialog.className = "kbd-help";
    dialog.setAttribute("aria-labelledby", "kbd-help-title");
    const title = document.createElement("h2");
    title.id = "kbd-help-title";
    title.textContent = "Keyboard shortcuts on this page";
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = "Single keys, not while typing in a field. Message actions apply to the message with focus, else the newest that offers them.";
    const list = document.createElement("dl");
    list.className = "kbd-list";
    const close = document.createElement("button");
    close.type = "button";
    close.dataset.kbdClose = "";
    close.textContent = "Close";
    dialog.append(title, note, list, close);
    dialog.addEventListener("click", (ev) => { if (ev.target === dialog) dialog.close(); });
    document.body.append(dialog);
    return dialog;
  }

  function toggleHelp() {
    const dialog = helpDialog();
    if (dialog.open) { dialog.close(); return; }
    const list = $(".kbd-list", dialog);
    list.replaceChildren();
    SHORTCUTS.filter((s) => s.find()).forEach((s) => {
      const dt = document.createElement("dt");
      const kbd = document.createElement("kbd");
      kbd.textContent = s.keys;
      dt.append(kbd);
      dt.dataset.key = s.keys;
      const dd = document.createElement("dd");
      dd.textContent = s.label;
      list.append(dt, dd);
    });
    dialog.showModal();
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return;
    if (editable(ev.target)) return;
    const help = $("#kbd-help");
    if (help && help.open && ev.key !== "?") return; // the dialog's own keys (Escape, Tab)
    if (ev.shiftKey && ev.key !== "?") return;
    const shortcut = shortcutFor(ev.key);
    if (!shortcut) return;
    const target = shortcut.find(ev.key);
    if (!target) return;
    ev.preventDefault();
    if (ev.repeat && shortcut.run === press) return;
    shortcut.run(target);
  });

  document.addEventListener("click", (ev) => {
    const target = ev.target instanceof Element ? ev.target : null;
    if (!target) return;
    const copyBtn = target.closest("button[data-copy]");
    if (copyBtn) { ev.preventDefault(); copy(copyBtn); return; } // in a <summary>: no toggle
    if (target.closest("[data-kbd-help]")) { toggleHelp(); return; }
    if (target.closest("[data-kbd-close]")) { const d = $("#kbd-help"); if (d) d.close(); }
  });

  // What other scripts of the inbox (handsets.js) share: the pending count, the flash line,
  // and a refresh of the live regions.
  window.nexmoInbox = { track: track, flash: flash, refresh: () => schedule(0) };

  function init() {
    $$("form[data-compose]").forEach(showComposerFields);
    enhance(document);
    const thread = $("#thread");
    if (thread) {
      revealNewest(thread);
      // Images load after the first scroll: keep the end in view while it was.
      let following = true;
      thread.addEventListener("scroll", () => { following = nearEnd(thread); }, { passive: true });
      thread.addEventListener("load", () => { if (following) revealNewest(thread); }, true);
    }
    startClock();
    markSeen();
    connect();
    document.documentElement.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
