/* The patient's side-effect report (the session page's "Not saved" handling, for a phone):
   - What is typed is kept on this device (localStorage) as it is typed, and put back if the page
     is opened again before the report is sent.
   - The report is sent in the background; if it cannot reach the clinic (no network, server
     error), the page says "Not saved", keeps everything, and offers "Send again". The form's
     submission key goes with every attempt, so a report sent twice is recorded once.
   - Leaving the page with a report not yet sent asks first. Without JavaScript the form posts as
     usual. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-side-effect-report]");
  if (!form) return;
  var key = form.getAttribute("data-draft-key");
  var box = document.getElementById("unsaved");
  var why = document.getElementById("unsaved-why");
  var restored = document.getElementById("draft-restored");
  var sending = false;

  function read() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function keep() {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      values[name] = values[name] === undefined ? [value] : values[name].concat(value);
    });
    try { localStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* private mode */ }
  }
  function forget() {
    try { localStorage.removeItem(key); } catch (e) { /* private mode */ }
  }
  function typedSomething(values) {
    return values && Object.keys(values).some(function (name) {
      return name !== "submission_key" && values[name].some(function (v) { return v !== ""; });
    });
  }
  // A form shown again with the server's errors already holds what was sent: the draft is only
  // put back into a fresh form.
  var draft = read();
  if (typedSomething(draft) && !form.querySelector(".error-text")) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || !(el.name in draft)) return;
      var values = draft[el.name];
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.indexOf(el.value) !== -1;
      else el.value = values[0];
    });
    if (restored) restored.hidden = false;
  }
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);

  function failed(text) {
    sending = false;
    keep();
    why.textContent = text;
    box.hidden = false;
    box.scrollIntoView({ block: "center" });
    document.getElementById("send-again").focus();
  }
  function send() {
    if (sending) return;
    sending = true;
    keep();
    var request = new XMLHttpRequest();
    request.open("POST", window.location.pathname);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.onload = function () {
      sending = false;
      if (request.status >= 500) {
        failed("The clinic's server could not save it (error " + request.status + ").");
        return;
      }
      if (request.status === 400) {
        // Something to correct: the server shows the form with its messages (nothing is saved
        // by a refused report, so sending it the ordinary way is safe).
        form.submit();
        return;
      }
      forget();
      window.location.assign(request.responseURL);
    };
    request.onerror = function () { failed("Your report did not reach the clinic (no connection)."); };
    request.send(new FormData(form));
  }
  form.addEventListener("submit", function (evt) {
    if (!window.FormData || !window.XMLHttpRequest) return;
    evt.preventDefault();
    send();
  });
  document.getElementById("send-again").addEventListener("click", send);
  window.addEventListener("beforeunload", function (evt) {
    if (!box.hidden) { evt.preventDefault(); evt.returnValue = ""; }
  });
})();
