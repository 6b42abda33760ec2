/* Message forms: what was typed survives a lost connection, and is never sent twice.
   - While typing, the text (and the form's submit key) is kept on this device (localStorage).
   - Sending goes through fetch: if the network fails or the server errs, the page stays, the text
     stays in the box, and the form says "Not sent" with the reason; pressing Send again resends
     with the same submit key, so a message that did arrive is not written a second time.
   - The kept copy is dropped only when the server confirms the message (it answers with the
     thread); a page opened later puts a kept, unsent text back in the box.
   Reply templates (staff) fill the box from their button. */
(function () {
  "use strict";
  function storeKey(form) { return "clinic:message-draft:" + form.getAttribute("data-compose"); }
  function read(form) {
    try { return JSON.parse(localStorage.getItem(storeKey(form)) || "null"); } catch (e) { return null; }
  }
  function keep(form) {
    var body = form.querySelector("textarea[name='body']");
    var key = form.querySelector("input[name='submit_key']");
    var topic = form.querySelector("select[name='topic']");
    try {
      if (!body.value.trim()) { localStorage.removeItem(storeKey(form)); return; }
      localStorage.setItem(storeKey(form), JSON.stringify({
        body: body.value, submitKey: key ? key.value : "", topic: topic ? topic.value : ""
      }));
    } catch (e) { /* private mode: nothing kept */ }
  }
  function drop(form) { try { localStorage.removeItem(storeKey(form)); } catch (e) { /* ignore */ } }
  function say(form, text) {
    var box = form.querySelector(".compose-state");
    box.textContent = text;
    box.hidden = !text;
  }
  function setUp(form) {
    var body = form.querySelector("textarea[name='body']");
    var key = form.querySelector("input[name='submit_key']");
    var topic = form.querySelector("select[name='topic']");
    if (!body) return;
    var kept = read(form);
    if (kept && kept.body && !body.value.trim()) {
      body.value = kept.body;
      if (key && kept.submitKey) key.value = kept.submitKey;
      if (topic && kept.topic) topic.value = kept.topic;
      form.querySelector(".compose-restored").hidden = false;
    }
    body.addEventListener("input", function () { keep(form); });
    if (topic) topic.addEventListener("change", function () { keep(form); });
    var sending = false;
    form.addEventListener("submit", function (evt) {
      if (!window.fetch) return;
      evt.preventDefault();
      if (sending) return;  // a double tap sends once
      sending = true;
      keep(form);
      say(form, "");
      var button = form.querySelector("button[type='submit']");
      button.disabled = true;
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.status >= 500) throw new Error("the server could not save it (" + response.status + ")");
        var next = response.headers.get("X-Location");
        if (next) { drop(form); window.location.assign(next); return; }
        if (response.status === 400) {
          // Refused (nothing was written): sent again the ordinary way, so that the page comes
          // back with the reason beside the field and the text still in the box.
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
        throw new Error("the clinic refused it (" + response.status + "); reload the page");
      }).catch(function (error) {
        var why = error instanceof TypeError ? "no connection" : error.message;
        say(form, "Not sent: " + why + ". Your message is kept on this device; press Send again when you are back online.");
      }).then(function () { sending = false; button.disabled = false; });
    });
  }
  document.querySelectorAll("form[data-compose]").forEach(setUp);
  document.querySelectorAll("button[data-template]").forEach(function (button) {
    button.addEventListener("click", function () {
      var form = document.querySelector("form[data-compose]");
      var body = form && form.querySelector("textarea[name='body']");
      if (!body) return;
      body.value = button.getAttribute("data-template");
      body.focus();
      body.dispatchEvent(new Event("input"));
    });
  });
})();
