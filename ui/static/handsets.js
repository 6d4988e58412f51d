// Handset profiles in the inbox: the person card's editor (structured, or as JSON), "back to
// ordinary", the Handsets page's remove buttons and its "set up a handset" form. Every change
// is a fetch() with a JSON body to the control API (PUT / DELETE /_sandbox/handsets/{address});
// a refusal's invalid_parameters are listed next to the form, with the fields they name marked.
"use strict";

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const NOOP = { track() {}, flash() {}, refresh() {} };
  const inbox = () => window.nexmoInbox || NOOP;

  const profilePath = (address) => "/_sandbox/handsets/" + encodeURIComponent(address);

  async function send(method, path, body) {
    const init = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    inbox().track(1);
    try {
      const response = await fetch(path, init);
      const text = await response.text();
      let data = null;
      if (text) { try { data = JSON.parse(text); } catch (_) { data = null; } }
      return { ok: response.ok, status: response.status, data: data };
    } catch (err) {
      return { ok: false, status: 0, data: { detail: "The sandbox cannot be reached: " + err.message } };
    } finally {
      inbox().track(-1);
    }
  }

  // -- reading the form -----------------------------------------------------------------------
  const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

  // A number field: empty is null, a number is a number, anything else goes as typed so that
  // the sandbox names the mistake.
  function number(field) {
    const text = field ? field.value.trim() : "";
    if (text === "") return null;
    return DECIMAL.test(text) ? Number(text) : text;
  }

  function text(field) {
    const value = field ? field.value.trim() : "";
    return value === "" ? null : value;
  }

  function channelRow(tr) {
    const has = tr.querySelector("[name=has]").value;
    const row = {
      deliver_after: number(tr.querySelector("[name=deliver_after]")),
      read_after: number(tr.querySelector("[name=read_after]")),
      fail: tr.querySelector("[name=fail]").value || null,
      error_code: number(tr.querySelector("[name=error_code]")),
      receipts: tr.querySelector("[name=receipts]").checked,
    };
    const blank = has === "" && row.deliver_after === null && row.read_after === null &&
      row.fail === null && row.error_code === null && row.receipts;
    if (blank) return null;
    return Object.assign({ has: has !== "no" }, row);
  }

  // The PUT body of the structured form, and the rule items in the order they were sent (an
  // error names `persona[i]` by that order; blank rules are left out).
  function profileBody(form) {
    const body = {
      label: text($("[name=label]", form)),
      channels: {},
      offline_until: number($("[name=offline_until]", form)),
      persona: [],
    };
    $$("tr[data-row]", form).forEach((tr) => {
      const row = channelRow(tr);
      if (row) body.channels[tr.dataset.row] = row;
    });
    const sent = [];
    $$("[data-rule]", form).forEach((li) => {
      const rule = {
        match: text($("[name=match]", li)),
        reply: text($("[name=reply]", li)),
        tap: text($("[name=tap]", li)),
        read: $("[name=read]", li).checked,
        after: number($("[name=after]", li)),
      };
      if (rule.match === null && rule.reply === null && rule.tap === null) return;
      if (rule.after === null) rule.after = 0;
      body.persona.push(rule);
      sent.push(li);
    });
    return { body: body, rules: sent };
  }

  // -- showing a refusal ----------------------------------------------------------------------
  function fieldFor(form, rules, name) {
    let found = /^channels\.(.+)\.(has|deliver_after|read_after|fail|error_code|receipts)$/.exec(name);
    if (found) {
      const tr = $('tr[data-row="' + CSS.escape(found[1]) + '"]', form);
      return tr ? $('[name="' + found[2] + '"]', tr) : null;
    }
    found = /^persona\[(\d+)\](?:\.(\w+))?$/.exec(name);
    if (found) {
      const li = rules[parseInt(found[1], 10)];
      if (!li) return null;
      return found[2] ? $('[name="' + found[2] + '"]', li) || li : li;
    }
    return $('[name="' + CSS.escape(name) + '"]', form);
  }

  function clearErrors(form) {
    $$("[aria-invalid]", form).forEach((el) => el.removeAttribute("aria-invalid"));
    const list = $("[data-handset-errors]", form);
    if (list) { list.replaceChildren(); list.hidden = true; }
  }

  function showErrors(form, result, locate) {
    clearErrors(form);
    const list = $("[data-handset-errors]", form);
    const data = result.data && typeof result.data === "object" ? result.data : {};
    const head = document.createElement("li");
    head.className = "hs-error-title";
    head.textContent = data.detail || data.title || "The sandbox answered " + result.status + ".";
    list.append(head);
    const invalid = Array.isArray(data.invalid_parameters) ? data.invalid_parameters : [];
    invalid.forEach((p) => {
      const item = document.createElement("li");
      item.dataset.param = String(p.name);
      const code = document.createElement("code");
      code.textContent = String(p.name);
      item.append(code, " " + String(p.reason));
      list.append(item);
      const field = locate ? locate(String(p.name)) : null;
      if (field) field.setAttribute("aria-invalid", "true");
    });
    list.hidden = false;
  }

  // -- after a change -------------------------------------------------------------------------
  // The editor is outside the live regions (a refresh never takes what is being typed): after a
  // change it is drawn again from the page, the card itself by the inbox's own refresh.
  async function redrawEditor() {
    const editor = $("[data-person-editor]");
    if (!editor) return;
    inbox().track(1);
    try {
      const response = await fetch(location.href, { headers: { Accept: "text/html" } });
      if (response.status === 404) { location.assign("/handsets"); return; }
      if (!response.ok) return;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = $("[data-person-editor]", doc);
      if (!fresh) return;
      const open = $$("details[open][id]", editor).map((d) => d.id);
      editor.innerHTML = fresh.innerHTML;
      open.forEach((id) => { const d = document.getElementById(id); if (d) d.open = true; });
    } catch (_) {
      // The server went away: the live stream reconnects and the page catches up.
    } finally {
      inbox().track(-1);
    }
  }

  async function changed(message) {
    inbox().flash(message, "ok");
    inbox().refresh();
    await redrawEditor();
  }

  // -- actions --------------------------------------------------------------------------------
  async function saveForm(form) {
    const made = profileBody(form);
    const button = $("button[type=submit]", form);
    button.disabled = true;
    try {
      const result = await send("PUT", profilePath(form.dataset.address), made.body);
      if (!result.ok) { showErrors(form, result, (name) => fieldFor(form, made.rules, name)); return; }
      clearErrors(form);
      await changed("Saved the profile of " + form.dataset.address + ".");
    } finally {
      button.disabled = false;
    }
  }

  async function saveJson(form) {
    const area = $("textarea[name=json]", form);
    let body;
    try {
      body = JSON.parse(area.value);
    } catch (err) {
      showErrors(form, { status: 0, data: { detail: "This is not JSON: " + err.message } }, null);
      area.setAttribute("aria-invalid", "true");
      return;
    }
    const button = $("button[type=submit]", form);
    button.disabled = true;
    try {
      const result = await send("PUT", profilePath(form.dataset.address), body);
      if (!result.ok) { showErrors(form, result, () => area); return; }
      clearErrors(form);
      await changed("Saved the profile of " + form.dataset.address + ".");
    } finally {
      button.disabled = false;
    }
  }

  async function remove(button) {
    const address = button.dataset.handsetDelete;
    button.disabled = true;
    const result = await send("DELETE", profilePath(address));
    button.disabled = false;
    if (!result.ok) {
      const data = result.data || {};
      inbox().flash(data.detail || data.title || "The sandbox answered " + result.status + ".");
      return;
    }
    const now = result.data && result.data.now;
    await changed(address + " is " + (now ? "back to its " + now.source + " profile." : "ordinary again."));
  }

  async function openNew(form) {
    const address = text($("[name=address]", form));
    const channel = $("[name=channel]", form).value;
    if (address === null) {
      showErrors(form, { status: 0, data: { invalid_parameters: [{ name: "address", reason: "is needed." }], detail: "Say which handset." } }, (name) => $('[name="' + name + '"]', form));
      return;
    }
    // Asked of the list, not of GET /_sandbox/handsets/{address}: its 404 for an ordinary
    // address would be a failed load in the console.
    const list = await send("GET", "/_sandbox/handsets");
    const known = list.ok && list.data ? [].concat(list.data.handsets || [], list.data.magic || []) : [];
    if (!known.some((h) => h && h.address === address)) {
      const result = await send("PUT", profilePath(address), { label: text($("[name=label]", form)) });
      if (!result.ok) { showErrors(form, result, (name) => $('[name="' + CSS.escape(name) + '"]', form)); return; }
    }
    location.assign("/conversation?channel=" + encodeURIComponent(channel) + "&peer=" + encodeURIComponent(address));
  }

  function addRule(button) {
    const fieldset = button.closest("fieldset") || document;
    const template = $("template[data-rule-template]", fieldset);
    const list = $("[data-rules]", fieldset);
    if (!template || !list) return;
    list.append(template.content.cloneNode(true));
    const added = list.lastElementChild;
    const first = added ? $("input", added) : null;
    if (first) first.focus();
  }

  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.matches("[data-handset-form]")) { ev.preventDefault(); saveForm(form); }
    else if (form.matches("[data-handset-json]")) { ev.preventDefault(); saveJson(form); }
    else if (form.matches("[data-handset-new]")) { ev.preventDefault(); openNew(form); }
  });

  document.addEventListener("click", (ev) => {
    const target = ev.target instanceof Element ? ev.target : null;
    if (!target) return;
    const del = target.closest("[data-handset-delete]");
    if (del) { remove(del); return; }
    const add = target.closest("[data-add-rule]");
    if (add) { addRule(add); return; }
    const drop = target.closest("[data-remove-rule]");
    if (drop) { const li = drop.closest("[data-rule]"); if (li) li.remove(); }
  });
})();
