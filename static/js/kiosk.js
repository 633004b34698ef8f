// Kiosk mode (township-hall touch screens): after 60 s without a touch, clear every form and
// return to the kiosk's home page, so the next villager never sees the last one's lookup.
(function () {
  "use strict";
  var IDLE_MS = 60 * 1000;
  var script = document.currentScript;
  var home = (script && script.getAttribute("data-home")) || "/";
  var timer = null;

  function clearForms() {
    var fields = document.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") continue;
      if (field.type === "checkbox" || field.type === "radio") field.checked = false;
      else if (field.tagName === "SELECT") field.selectedIndex = 0;
      else field.value = "";
    }
  }

  function reset() {
    clearForms();
    if (location.pathname + location.search !== home) {
      location.replace(home); // replace: Back must not bring the last person's page back
    } else {
      window.scrollTo(0, 0);
      restart();
    }
  }

  function restart() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(reset, IDLE_MS);
  }

  ["pointerdown", "touchstart", "keydown", "input", "scroll", "wheel"].forEach(function (name) {
    window.addEventListener(name, restart, { passive: true, capture: true });
  });
  // A page restored from the back/forward cache keeps its old inputs: clear them.
  window.addEventListener("pageshow", function (event) { if (event.persisted) clearForms(); });
  restart();
})();
