/* Chair-side session page: connection status and entries that did not save (the alert sound
   and banner are clinic/sessions/static/sessions/alerts.js).
   - If the live region cannot refresh, the page says so and how old the readings shown are.
   - If an entry cannot be sent (no network, server error), the form keeps what was typed and the
     entry is listed at the top as "Not saved", kept on this tablet (localStorage) until it is sent
     again; leaving the page with unsaved entries asks first. */
(function () {
  "use strict";
  var grid = document.querySelector("[data-session]");
  if (!grid) return;
  var sessionId = grid.getAttribute("data-session");
  // Times are shown in the clinic's zone (the tablet's own zone may differ).
  var zone = grid.getAttribute("data-zone") || undefined;
  // The product's one time format (config/formats/en/formats.py): "4:05 PM", in the location's zone.
  // Some ICU versions put a narrow no-break space before "PM": a plain space reads the same as the pages.
  function clinicTime(date) {
    var options = { hour: "numeric", minute: "2-digit", hour12: true };
    try {
      options.timeZone = zone;
      return new Intl.DateTimeFormat("en-US", options).format(date).replace(/\s/g, " ");
    } catch (e) {
      delete options.timeZone;
      return date.toLocaleTimeString("en-US", options).replace(/\s/g, " ");
    }
  }
  var storeKey = "clinic:unsaved:" + sessionId;

  function unsaved() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "[]"); } catch (e) { return []; }
  }
  function saveUnsaved(list) {
    try { localStorage.setItem(storeKey, JSON.stringify(list)); } catch (e) { /* private mode */ }
    renderUnsaved(list);
  }
  function describe(values, shown) {
    if (shown && shown.length) return shown.join(", ");
    return Object.keys(values)
      .filter(function (k) { return values[k] !== "" && k.indexOf("was_") !== 0; })
      .map(function (k) { return k.replace(/_/g, " ") + ": " + values[k]; })
      .join(", ");
  }
  function renderUnsaved(list) {
    var box = document.getElementById("unsaved");
    var ul = document.getElementById("unsaved-list");
    if (!box || !ul) return;
    ul.innerHTML = "";
    list.forEach(function (item, index) {
      var li = document.createElement("li");
      var when = item.takenAt ? "taken " + clinicTime(new Date(item.takenAt)) : item.time;
      li.textContent = item.entry + " (" + when + "): " + describe(item.values, item.shown) + " ";
      var retry = document.createElement("button");
      retry.type = "button"; retry.className = "button button-small"; retry.textContent = "Send again";
      retry.addEventListener("click", function () { resend(index); });
      var discard = document.createElement("button");
      discard.type = "button"; discard.className = "link-button"; discard.textContent = "Discard";
      discard.addEventListener("click", function () {
        if (window.confirm("Discard this entry? It was never saved.")) {
          var l = unsaved(); l.splice(index, 1); saveUnsaved(l);
        }
      });
      li.appendChild(retry); li.appendChild(discard);
      ul.appendChild(li);
    });
    box.hidden = list.length === 0;
  }
  function resend(index) {
    var list = unsaved();
    var item = list[index];
    if (!item) return;
    if (item.needsPassword) {
      window.alert("This entry needs your password: type it again in the form and send it.");
      return;
    }
    // Removed from the list only when the server answers (htmx:afterRequest below); if the
    // network fails again, it stays.
    pending = item.key;
    htmx.ajax("POST", item.url, {
      values: item.values, target: "#panels", swap: "outerHTML", source: document.getElementById("panels")
    });
  }
  var pending = null;
  function formValues(form) {
    var values = {}, needsPassword = false;
    new FormData(form).forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken") return;
      if (key === "password") { needsPassword = true; return; }
      values[key] = values[key] === undefined ? value : [].concat(values[key], value);
    });
    return { values: values, needsPassword: needsPassword };
  }
  // What the nurse typed, with the form's own labels and the options' words ("Systolic (mmHg):
  // 82", "Event: Paused"), for the "Not saved" list; hidden fields are left out.
  function shownValues(form) {
    var shown = [], seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "password" || el.type === "submit" || seen[el.name + el.value]) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.tagName !== "SELECT" && el.type !== "checkbox" && el.type !== "radio" && el.value === "") return;
      // A weight's unit is listed only with a weight typed (clinic.core.fields).
      var measurement = el.tagName === "SELECT" && el.closest("[data-measurement]");
      if (measurement && measurement.querySelector("input").value === "") return;
      seen[el.name + el.value] = true;
      var field = el.closest(".field");
      var label = field && field.querySelector("label[for='" + el.id + "'], legend");
      var name = label ? label.textContent.replace("*", "").trim()
        : el.getAttribute("aria-label") || el.name.replace(/_/g, " ");
      var value = el.value;
      if (el.tagName === "SELECT") {
        if (el.value === "") return;
        value = el.options[el.selectedIndex].text;
      } else if (el.type === "checkbox") {
        var own = el.closest("label");
        if (field && field.querySelector("legend")) value = own ? own.textContent.trim() : el.value;
        else { name = own ? own.textContent.trim() : name; value = "yes"; }
      } else if (el.type === "radio") {
        var option = el.closest("label");
        value = option ? option.textContent.trim() : el.value;
      }
      shown.push(name + ": " + value);
    });
    return shown;
  }
  // The moment an entry is sent from the tablet goes with it (entered_at), so an entry kept here
  // and sent again later is recorded at the time it was taken; the nurse's typed time wins.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var stamp = form && form.querySelector ? form.querySelector("input[name='entered_at']") : null;
    if (stamp && !stamp.value) stamp.value = new Date().toISOString();
  }, true);
  function failed(evt, why) {
    var elt = (evt.detail.requestConfig && evt.detail.requestConfig.elt) || evt.detail.elt;
    if (elt && elt.id === "live") {
      var box = document.getElementById("connection");
      var live = document.getElementById("live");
      box.textContent = "Connection lost: the readings shown were last updated at " +
        (live ? live.getAttribute("data-updated") : "?") + ". Retrying…";
      box.hidden = false;
      return;
    }
    if (elt && elt.id === "panels") { pending = null; return; }  // a resend failed: still kept
    var form = elt && elt.closest ? elt.closest("form[data-entry]") : null;
    if (!form) return;
    var data = formValues(form);
    var list = unsaved();
    list.push({
      entry: form.getAttribute("data-entry") + " — " + why,
      url: form.getAttribute("hx-post"),
      values: data.values,
      needsPassword: data.needsPassword,
      shown: shownValues(form),
      takenAt: data.values.entered_at || null,
      formId: form.id,
      key: String(Date.now()) + Math.random(),
      time: clinicTime(new Date())
    });
    saveUnsaved(list);
  }
  // The live region refreshes every second, but not while a control inside it has the focus (an
  // alert being acknowledged): the swap would throw away what is being typed. A poll has no
  // triggering event; a "session-changed" refresh has one and always goes ahead. This check lives
  // here rather than as an hx-trigger filter because htmx evaluates filters with eval, which the
  // Content-Security-Policy refuses.
  document.body.addEventListener("htmx:confirm", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.id === "live" && !evt.detail.triggeringEvent && elt.querySelector(":focus")) {
      evt.preventDefault();
    }
  });
  // The live region's poll sends back the version of the region it holds (#live-state's ETag):
  // the server answers 304 when nothing changed, or only what changed.
  document.body.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    var state = document.getElementById("live-state");
    if (elt && elt.id === "live" && evt.detail.verb === "get" && state) {
      evt.detail.headers["If-None-Match"] = state.getAttribute("data-etag");
    }
  });
  // Each answer (a 304 too) says when the server looked: the page shows it (and the connection
  // warning quotes it).
  function polled(evt) {
    var when = evt.detail.xhr && evt.detail.xhr.getResponseHeader("X-Live-Updated");
    var live = document.getElementById("live");
    if (!when || !live) return;
    live.setAttribute("data-updated", when);
    var shown = document.getElementById("updated-at");
    if (shown) shown.textContent = "Updated " + when;
  }
  document.body.addEventListener("htmx:sendError", function (evt) { failed(evt, "no connection"); });
  document.body.addEventListener("htmx:responseError", function (evt) {
    failed(evt, "the server could not save it (" + evt.detail.xhr.status + ")");
  });
  // The element that made the request: after an outerHTML swap it is no longer in the page and
  // htmx reports the event from its parent, so read it from the request's own configuration.
  function source(evt) {
    return (evt.detail.requestConfig && evt.detail.requestConfig.elt) || evt.detail.elt;
  }
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    if (!evt.detail.successful && !(evt.detail.xhr && evt.detail.xhr.status >= 400 && evt.detail.xhr.status < 500)) return;
    var elt = source(evt);
    if (elt && elt.id === "live") {
      polled(evt);
      document.getElementById("connection").hidden = true;
      return;
    }
    if (elt && elt.id === "panels" && pending) {
      // A kept entry sent again: saved, or refused with its reason shown in the form.
      var key = pending; pending = null;
      saveUnsaved(unsaved().filter(function (item) { return item.key !== key; }));
      return;
    }
    var form = elt && elt.closest ? elt.closest("form[data-entry]") : null;
    if (form && form.id) {
      var list = unsaved().filter(function (item) { return item.formId !== form.id; });
      saveUnsaved(list);
    }
  });

  window.addEventListener("beforeunload", function (evt) {
    if (unsaved().length) { evt.preventDefault(); evt.returnValue = ""; }
  });
  renderUnsaved(unsaved());
})();
