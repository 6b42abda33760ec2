/* Vital-sign alerts on the chair-side page.
   - The alert sound is on unless the nurse turns it off (remembered on this tablet). Browsers keep
     audio silent until the page has been touched once (autoplay policy): until then a prompt at
     the top asks for one tap, and any tap or key on the page unlocks it.
   - A new alert sounds, vibrates, flags the tab title and is announced once to screen readers
     (the banner itself is redrawn whenever an alert changes, so it is not a live region).
   - An alert open past the protocol's minutes is escalated: it sounds again at once and then
     every 30 seconds while it stays open. */
(function () {
  "use strict";
  var grid = document.querySelector("[data-session]");
  if (!grid) return;
  var KEY = "clinic:alert-sound";
  var TITLE = "⚠ ALERT · ";
  var REPEAT_MS = 30000;
  var toggle = document.getElementById("alert-sound");
  var prompt = document.getElementById("sound-prompt");
  var announcer = document.getElementById("alert-announcer");
  var Ctx = window.AudioContext || window.webkitAudioContext;
  var audio = null;
  var known = null;
  var knownEscalated = [];
  var repeat = null;

  function soundOn() {
    try { return localStorage.getItem(KEY) !== "off"; } catch (e) { return true; }
  }
  function setSoundOn(on) {
    try {
      if (on) localStorage.removeItem(KEY); else localStorage.setItem(KEY, "off");
    } catch (e) { /* private mode: the choice lasts for this page */ }
  }
  function context() {
    if (!Ctx) return null;
    if (!audio) {
      try { audio = new Ctx(); } catch (e) { audio = null; }
      if (audio) audio.onstatechange = render;
    }
    return audio;
  }
  function silenced() {
    var a = context();
    return !a || a.state !== "running";
  }
  function render() {
    var on = soundOn();
    if (toggle) {
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? "Alert sound: on" : "Alert sound: off";
    }
    if (prompt) {
      if (on && !Ctx) {
        prompt.textContent = "This browser cannot play the alert sound: keep the screen in view.";
      }
      prompt.hidden = !(on && silenced());
    }
  }
  function unlock() {
    var a = context();
    if (!a || a.state === "running") return;
    a.resume().then(function () {
      render();
      if (soundOn() && openIds().length) beep(false);
    }, render);
  }
  function tone(frequency, at, seconds) {
    var osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = frequency;
    gain.gain.value = 0.25;
    osc.connect(gain);
    gain.connect(audio.destination);
    osc.start(audio.currentTime + at);
    osc.stop(audio.currentTime + at + seconds);
  }
  function beep(urgent) {
    if (!soundOn()) return;
    if (silenced()) { render(); return; }
    tone(880, 0, 0.25);
    tone(660, 0.3, 0.25);
    if (urgent) { tone(880, 0.6, 0.25); tone(660, 0.9, 0.4); }
  }
  function split(value) { return (value || "").split(",").filter(Boolean); }
  // The live region's state (#live-state) names the open and the escalated alerts.
  function openIds() {
    var state = document.getElementById("live-state");
    return state ? split(state.getAttribute("data-alert-ids")) : [];
  }
  function announce(ids) {
    if (!announcer) return;
    var text = ids.map(function (id) {
      var form = document.querySelector('[data-alert="' + id + '"]');
      return form ? form.querySelector(".vital-alert-head").textContent + ": " +
        form.querySelector(".vital-alert-breaches").textContent : "";
    }).join(" ");
    announcer.textContent = text.replace(/\s+/g, " ").trim();
  }
  function check() {
    var state = document.getElementById("live-state");
    if (!state) return;
    var ids = split(state.getAttribute("data-alert-ids"));
    var escalated = split(state.getAttribute("data-escalated-ids"));
    var fresh = known === null ? ids : ids.filter(function (id) { return known.indexOf(id) === -1; });
    var newlyEscalated = escalated.filter(function (id) { return knownEscalated.indexOf(id) === -1; });
    if (fresh.length || newlyEscalated.length) {
      beep(newlyEscalated.length > 0);
      if (navigator.vibrate) navigator.vibrate(newlyEscalated.length ? [300, 150, 300] : 300);
      announce(fresh.length ? fresh : newlyEscalated);
    }
    if (escalated.length && !repeat) {
      repeat = window.setInterval(function () { beep(true); }, REPEAT_MS);
    } else if (!escalated.length && repeat) {
      window.clearInterval(repeat);
      repeat = null;
    }
    document.title = (ids.length ? TITLE : "") + document.title.replace(TITLE, "");
    known = ids;
    knownEscalated = escalated;
  }

  if (toggle) {
    toggle.addEventListener("click", function () {
      setSoundOn(!soundOn());
      if (soundOn()) unlock();
      render();
    });
  }
  if (prompt) prompt.addEventListener("click", unlock);
  document.addEventListener("pointerdown", unlock, true);
  document.addEventListener("keydown", unlock, true);
  document.body.addEventListener("htmx:afterSettle", check);
  render();
  check();
})();
