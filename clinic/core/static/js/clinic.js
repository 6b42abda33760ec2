/* Behaviour every page may use, wired here because the Content-Security-Policy runs no inline
   handler (onclick=...): a button marked data-print prints the page. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });
})();

/* A refused form's error summary (core/form_errors.html) takes the focus when the page loads and
   when an htmx swap brings one in, so a screen reader announces the one summary, not each field's
   message; each summary is focused once, so a later swap elsewhere does not pull the focus back.
   A link in it moves the focus to its field and shows the field's label above it. */
(function () {
  "use strict";
  function focusNewSummary() {
    var summary = document.querySelector("[data-error-summary]:not([data-error-summary-shown])");
    if (!summary) { return; }
    summary.setAttribute("data-error-summary-shown", "");
    summary.focus();
  }
  focusNewSummary();
  document.addEventListener("htmx:afterSettle", focusNewSummary);
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    // A group of radio buttons or checkboxes is linked by its field's box: its first choice.
    var field = target.matches("input, select, textarea") ? target
      : target.querySelector("input:not([type=hidden]), select, textarea");
    if (!field) { return; }
    event.preventDefault();
    var container = field.closest(".field") || field;
    container.scrollIntoView();
    field.focus({preventScroll: true});
  });
})();

/* A table too wide or too long for its box scrolls inside it; a keyboard reaches the scroll only
   if the box takes the focus (WCAG 2.1 SC 2.1.1 Keyboard), so a box that scrolls is made
   focusable (and no longer, once it fits). It gets no role or name of its own: the table inside
   it is what is read, and a second region named after its heading would be a second landmark
   of the same name. Checked when the page loads, after each htmx swap and when the window
   changes size. */
(function () {
  "use strict";
  function markScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollHeight > wrap.clientHeight || wrap.scrollWidth > wrap.clientWidth;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("data-scrolls", "");
      } else if (!scrolls && wrap.hasAttribute("data-scrolls")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("data-scrolls");
      }
    });
  }
  markScrollingTables();
  document.addEventListener("htmx:afterSettle", markScrollingTables);
  window.addEventListener("resize", markScrollingTables);
})();

/* A height or weight typed in lb or ft + in (clinic.core.fields) shows its metric value as it is
   typed: the same exact factors and rounding (one decimal, half up) as the server, which stores
   and checks the value; the inches box shows only with "ft + in". */
(function () {
  "use strict";
  function tenth(value) { return (Math.round(value * 10 + 1e-9) / 10).toFixed(1); }
  function number(input) {
    if (!input || input.value.trim() === "") { return null; }
    var value = Number(input.value.replace(",", "."));
    return isFinite(value) ? value : NaN;
  }
  function update(box) {
    var inputs = box.querySelectorAll("input");
    var unit = box.querySelector("select");
    var output = box.querySelector("[data-measurement-output]");
    var inchesBox = box.querySelector("[data-measurement-inches-box]");
    var text = "";
    if (box.getAttribute("data-measurement") === "weight") {
      var pounds = number(inputs[0]);
      if (unit.value === "lb" && pounds !== null && !isNaN(pounds)) {
        text = "= " + tenth(pounds * 0.45359237) + " kg";
      }
    } else {
      var feetAndInches = unit.value === "ft_in";
      if (inchesBox) { inchesBox.hidden = !feetAndInches; }
      var feet = number(inputs[0]);
      var inches = number(inputs[1]);
      if (feetAndInches && (feet !== null || inches !== null) && !isNaN(feet) && !isNaN(inches)) {
        text = "= " + tenth(((feet || 0) * 12 + (inches || 0)) * 2.54) + " cm";
      }
    }
    if (output.textContent !== text) { output.textContent = text; }
  }
  function updateAll() { document.querySelectorAll("[data-measurement]").forEach(update); }
  updateAll();
  document.addEventListener("htmx:afterSettle", updateAll);
  ["input", "change"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var box = event.target.closest && event.target.closest("[data-measurement]");
      if (box) { update(box); }
    });
  });
})();
