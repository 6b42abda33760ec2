/* Behaviour every page may use, wired here because the Content-Security-Policy runs no inline
   handler (onclick=...): a button marked data-print prints the page. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });
})();
