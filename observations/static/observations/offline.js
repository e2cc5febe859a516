/* The observation form on a phone with a weak network.

   Every report goes first into an outbox in localStorage (with its idempotency key),
   then is sent with fetch. If the phone is offline or the request fails, it stays in
   the outbox, the page says so, and it is sent again when the network returns (the
   "online" event, the next visit, or a retry every 20 s). The server stores a key only
   once, so sending the same report twice is harmless. A report leaves the outbox as soon
   as the server has it (it may name a sympathiser, with their phone), and logging out
   empties the outbox (static/js/logout.js). No library, no build step. */
(function () {
  "use strict";

  var STORE = "qg-observations-outbox";
  var RETRY_MS = 20000;
  var form = document.getElementById("observation-form");
  if (!form) return;
  var T = window.QG_OBS_TEXT || {};
  var statusEl = document.getElementById("obs-status");
  var outboxEl = document.getElementById("obs-outbox");
  var submitBtn = document.getElementById("obs-submit");
  var flushing = false;

  function uuid4() {
    // crypto.randomUUID needs a secure context; getRandomValues works everywhere.
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch (e) { return []; }
  }

  // Returns false when the phone refused to keep them (storage full or disabled).
  function save(items) {
    // Sent reports are not kept (drafts of an older version of this page may say "sent").
    items = items.filter(function (d) { return d.state !== "sent"; });
    var kept = true;
    try {
      if (items.length) localStorage.setItem(STORE, JSON.stringify(items));
      else localStorage.removeItem(STORE);
    } catch (e) { kept = false; }
    render(items);
    return kept;
  }

  function isKept(key) {
    return load().some(function (d) { return d.key === key; });
  }

  function forget(key) {
    save(load().filter(function (d) { return d.key !== key; }));
  }

  function update(key, changes) {
    var items = load();
    items.forEach(function (d) { if (d.key === key) Object.assign(d, changes); });
    save(items);
  }

  // The news is read out (a live region) and shown where the user is: after « Envoyer »
  // the user is at the bottom of a long form, and the status is at its top.
  function say(text, state, stay) {
    statusEl.textContent = text;
    statusEl.dataset.state = state;
    if (!stay) statusEl.scrollIntoView({ block: "start" });
  }

  function render(items) {
    outboxEl.innerHTML = "";
    items.forEach(function (d) {
      var li = document.createElement("li");
      li.dataset.key = d.key;
      li.dataset.state = d.state;
      var label = d.label + " — " + (d.state === "refused" ? T.fix : T.draftWaiting);
      li.appendChild(document.createTextNode(label));
      if (d.state === "refused") {
        var fix = document.createElement("button");
        fix.type = "button";
        fix.className = "link-button";
        fix.textContent = "✎";
        fix.setAttribute("aria-label", T.fix);
        fix.addEventListener("click", function () { restore(d); });
        li.appendChild(fix);
      }
      outboxEl.appendChild(li);
    });
    outboxEl.hidden = items.length === 0;
  }

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function labelOf() {
    var method = form.querySelector("input[name=method]:checked");
    var methodLabel = method && method.parentElement ? method.parentElement.textContent.trim() : "";
    var day = (form.elements.held_on || {}).value || "";
    var action = (form.elements.action || {}).value || "";
    return [day, action || methodLabel].filter(Boolean).join(" · ");
  }

  function bodyOf() {
    var params = new URLSearchParams(new FormData(form));
    // The token is the page's, read again at each send: a draft may outlive its page.
    params.delete("csrfmiddlewaretoken");
    return params.toString();
  }

  function clearErrors() {
    form.querySelectorAll(".errorlist").forEach(function (ul) { ul.hidden = true; ul.innerHTML = ""; });
    form.querySelectorAll(".field-invalid").forEach(function (el) { el.classList.remove("field-invalid"); });
  }

  function showErrors(errors) {
    clearErrors();
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var field = form.querySelector('[data-field="' + name + '"]');
      if (!field) field = form.querySelector('[data-field="__all__"]');
      var ul = field.classList.contains("errorlist") ? field : field.querySelector(".errorlist");
      field.classList.add("field-invalid");
      errors[name].forEach(function (msg) {
        var li = document.createElement("li");
        li.textContent = msg;
        ul.appendChild(li);
      });
      ul.hidden = false;
      first = first || field;
    });
    say(T.fix, "invalid");
    if (first) first.scrollIntoView({ block: "center" });
  }

  function restore(draft) {
    var params = new URLSearchParams(draft.body);
    form.reset();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") return;
      var values = params.getAll(el.name);
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.indexOf(el.value) !== -1;
      else if (el.multiple) Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      else if (values.length) el.value = values[0];
    });
    forget(draft.key);
    if (draft.errors) showErrors(draft.errors);
  }

  function freshForm() {
    form.reset();
    clearErrors();
    form.elements.idempotency_key.value = uuid4();
  }

  // Sends one draft; resolves to "sent", "refused" (with errors) or "waiting" (network or server down).
  function send(draft) {
    // Not form.action: the form has an input named « action », which shadows the property.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": csrfToken()
      },
      body: draft.body
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") !== -1;
      if (response.ok && json) {
        return response.json().then(function (data) {
          if (!data.ok) return { state: "waiting" };
          forget(draft.key);  // the server has it: nothing of it stays on the phone
          return { state: "sent" };
        });
      }
      // A page instead of our JSON answer (the log-in page after the session expired, a
      // captive portal's page): not sent; kept and tried again.
      if (response.ok) return { state: "waiting" };
      if (response.status === 400) {
        return response.json().then(function (data) {
          update(draft.key, { state: "refused", errors: data.errors });
          return { state: "refused", errors: data.errors };
        });
      }
      return { state: "waiting" };  // 403 after a log-out, 5xx: kept, tried again later
    }, function () {
      return { state: "waiting" };
    });
  }

  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    var waiting = load().filter(function (d) { return d.state === "waiting"; });
    if (!waiting.length) return Promise.resolve();
    flushing = true;
    return waiting.reduce(function (chain, draft) {
      return chain.then(function () { return send(draft); });
    }, Promise.resolve()).then(function () {
      flushing = false;
      var left = load().filter(function (d) { return d.state === "waiting"; }).length;
      if (!left) say(T.draftSent, "sent", true);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitBtn.disabled) return;  // a double tap sends once (and the key would dedupe it anyway)
    submitBtn.disabled = true;
    var draft = { key: form.elements.idempotency_key.value, body: bodyOf(), label: labelOf(), state: "waiting", savedAt: Date.now() };
    var items = load().filter(function (d) { return d.key !== draft.key; });
    items.push(draft);
    save(items);  // on the phone before anything goes on the network
    var done = function () { submitBtn.disabled = false; };
    // The form is emptied only once the report is safe: stored by QG, or kept on the phone.
    var keptOrSay = function () {
      if (isKept(draft.key)) {
        say(T.saved, "saved-offline");
        freshForm();
      } else {
        say(T.notKept, "invalid");
      }
    };
    if (!navigator.onLine) {
      keptOrSay();
      done();
      return;
    }
    say(T.sending, "sending");
    send(draft).then(function (result) {
      if (result.state === "sent") {
        say(T.sent, "sent");
        freshForm();
      } else if (result.state === "refused") {
        forget(draft.key);
        showErrors(result.errors);  // the input is still in the form
      } else {
        keptOrSay();
      }
      done();
    });
  });

  // The polling stations of the chosen commune.
  var communeEl = form.elements.commune;
  var stationsEl = form.elements.polling_stations;
  function loadStations(communeId, selected) {
    if (!communeId || !stationsEl || communeEl.tagName !== "SELECT") return Promise.resolve();
    return fetch(form.dataset.stationsUrl + "?commune=" + encodeURIComponent(communeId), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { stations: [] }; })
      .then(function (data) {
        stationsEl.innerHTML = "";
        data.stations.forEach(function (s) {
          var opt = new Option(s.label, s.id, false, String(s.id) === String(selected));
          stationsEl.appendChild(opt);
        });
      }, function () { /* offline: the commune alone is enough */ });
  }
  if (communeEl && communeEl.tagName === "SELECT") {
    communeEl.addEventListener("change", function () { loadStations(communeEl.value); });
  }

  var locateBtn = document.getElementById("obs-locate");
  var locateOut = document.getElementById("obs-locate-result");
  if (locateBtn && navigator.geolocation) {
    locateBtn.hidden = false;
    locateBtn.addEventListener("click", function () {
      locateOut.textContent = T.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var url = form.dataset.locateUrl + "?lon=" + pos.coords.longitude + "&lat=" + pos.coords.latitude;
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
          if (!data.commune) { locateOut.textContent = data.error || T.noPosition; return; }
          communeEl.value = communeEl.tagName === "SELECT" ? data.commune.id : data.commune.code;
          var stationId = data.station ? data.station.id : null;
          loadStations(data.commune.id, stationId).then(function () {
            // The station's label names its commune: « Gouesnou — bureau 3 (École Jules Ferry) ».
            locateOut.textContent = T.located + " " + (data.station ? data.station.label : data.commune.name);
          });
        }, function () { locateOut.textContent = T.noPosition; });
      }, function () { locateOut.textContent = T.noPosition; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  window.addEventListener("online", flush);
  setInterval(flush, RETRY_MS);
  render(load());
  flush();
})();
