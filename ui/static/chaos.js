// The Chaos page (add, delete, the seed, "receiver down") and the Webhooks page's contract
// test. Every change is a fetch() with a JSON body to the control API (/_sandbox/chaos...,
// /_sandbox/webhooks/contract); a refusal's detail and invalid_parameters are listed next to
// the form, never swallowed. Everything shown is set as text, never as HTML.
"use strict";

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  async function send(method, path, body) {
    const init = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    try {
      const response = await fetch(path, init);
      const text = await response.text();
      let data = null;
      if (text) { try { data = JSON.parse(text); } catch (_) { data = { detail: text }; } }
      return { ok: response.ok, status: response.status, data: data || {} };
    } catch (err) {
      return { ok: false, status: 0, data: { detail: "The sandbox cannot be reached: " + err.message } };
    }
  }

  function showErrors(form, result) {
    const list = $("[data-errors]", form);
    list.replaceChildren();
    const data = result.data || {};
    const lines = [data.detail || data.title || ("HTTP " + result.status)];
    for (const p of data.invalid_parameters || []) lines.push(p.name + " " + p.reason);
    for (const line of lines) {
      const li = document.createElement("li");
      li.textContent = line;
      list.appendChild(li);
    }
    list.hidden = false;
  }

  const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  // Empty is absent, a number is a number, anything else goes as typed so the sandbox names it.
  function number(value) {
    const text = value.trim();
    if (text === "") return undefined;
    return DECIMAL.test(text) ? Number(text) : text;
  }

  function ruleBody(form) {
    const f = form.elements;
    let body = {};
    const params = f.params.value.trim();
    if (params) {
      try { body = JSON.parse(params); } catch (err) {
        return { error: "Parameters must be a JSON object: " + err.message };
      }
      if (body === null || typeof body !== "object" || Array.isArray(body)) {
        return { error: "Parameters must be a JSON object." };
      }
    }
    body.effect = f.effect.value;
    if (f.scope_kind.value) body.scope = { [f.scope_kind.value]: f.scope_value.value.trim() };
    const probability = number(f.probability.value);
    if (probability !== undefined) body.probability = probability;
    const times = number(f.times.value);
    if (times !== undefined) body.times = times;
    if (f.name.value.trim()) body.name = f.name.value.trim();
    return { body: body };
  }

  async function submitted(form, call) {
    const result = await call();
    if (result.ok) { location.reload(); return; }
    showErrors(form, result);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-chaos-add]")) {
      event.preventDefault();
      const made = ruleBody(form);
      if (made.error) { showErrors(form, { status: 0, data: { detail: made.error } }); return; }
      submitted(form, () => send("POST", "/_sandbox/chaos/rules", made.body));
    } else if (form.matches("[data-chaos-down]")) {
      event.preventDefault();
      const body = { effect: "receiver_down", minutes: number(form.elements.minutes.value) };
      submitted(form, () => send("POST", "/_sandbox/chaos/rules", body));
    } else if (form.matches("[data-chaos-seed]")) {
      event.preventDefault();
      submitted(form, () => send("PUT", "/_sandbox/chaos", { seed: number(form.elements.seed.value) }));
    } else if (form.matches("[data-contract]")) {
      event.preventDefault();
      contract(form);
    }
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-chaos-delete]");
    if (!button) return;
    const id = button.getAttribute("data-chaos-delete");
    const result = await send("DELETE", "/_sandbox/chaos/rules/" + encodeURIComponent(id));
    if (result.ok) location.reload();
    else alert((result.data && result.data.detail) || "Could not delete " + id);
  });

  // -- the webhook contract test ----------------------------------------------------------------
  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
  }

  async function contract(form) {
    const out = $("[data-contract-result]");
    const body = {};
    if (form.elements.url.value.trim()) body.url = form.elements.url.value.trim();
    if (form.elements.kind.value) body.kind = form.elements.kind.value;
    $("[data-errors]", form).hidden = true;
    out.replaceChildren();
    const busy = document.createElement("p");
    busy.className = "muted";
    busy.textContent = "Sending the battery…";
    out.appendChild(busy);
    const result = await send("POST", "/_sandbox/webhooks/contract", body);
    out.replaceChildren();
    if (!result.ok) { showErrors(form, result); return; }
    const summary = document.createElement("p");
    summary.className = result.data.passed ? "contract-passed" : "contract-failed";
    summary.textContent = (result.data.passed ? "Passed: " : "Failed: ") + result.data.summary;
    out.appendChild(summary);
    for (const ep of result.data.endpoints || []) {
      const table = document.createElement("table");
      table.className = "contract-cases";
      const caption = document.createElement("caption");
      caption.textContent = ep.kind + " webhooks to " + ep.url;
      table.appendChild(caption);
      const head = document.createElement("tr");
      for (const h of ["case", "expected", "answer", "verdict"]) {
        const th = document.createElement("th");
        th.textContent = h;
        head.appendChild(th);
      }
      table.appendChild(head);
      for (const c of ep.cases) {
        const row = document.createElement("tr");
        row.className = c.ok ? "ok" : (c.allowed ? "allowed" : "bad");
        cell(row, c.case);
        cell(row, c.expect);
        cell(row, c.status_code !== null ? String(c.status_code) : (c.error || "no answer"));
        cell(row, c.verdict);
        table.appendChild(row);
      }
      out.appendChild(table);
    }
  }

  void $$;
})();
