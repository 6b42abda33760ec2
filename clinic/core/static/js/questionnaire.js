/* Answering a questionnaire (clinic/assessments/templates/assessments/_items.html).
   - A question shows only when the answer it depends on makes it apply (C-SSRS: 3–5 after "yes"
     to 2); a hidden question's inputs are disabled so they are not sent.
   - When an answer saved as it is chosen could not be saved (lost connection, server refusal),
     the page says so plainly instead of dropping it. */
(function () {
  "use strict";
  function refresh() {
    document.querySelectorAll("[data-enabled-when]").forEach(function (fieldset) {
      var rule = fieldset.dataset.enabledWhen.split(":");
      var chosen = document.querySelector('input[name="' + rule[0] + '"]:checked');
      var applies = chosen !== null && rule[1].indexOf(chosen.value) !== -1;
      fieldset.hidden = !applies;
      fieldset.querySelectorAll("input").forEach(function (input) { input.disabled = !applies; });
    });
  }
  function notSaved(target, text) {
    if (!target) return;
    var span = document.createElement("span");
    span.className = "not-saved";
    span.textContent = "Not saved: " + text;
    target.replaceChildren(span);
  }
  document.addEventListener("change", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
  refresh();
  document.addEventListener("htmx:sendError", function (event) {
    notSaved(event.detail.target, "no connection. Your answer is still selected; it will be sent when you press Submit.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    // The save view answers a refusal as one plain sentence; anything else (an error page) is not
    // worth showing as text.
    var text = (event.detail.xhr.responseText || "").trim();
    notSaved(event.detail.target, text && text.charAt(0) !== "<" ? text : "please try again");
  });
})();
