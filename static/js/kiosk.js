// Kiosk mode (township-hall touch screens): after 60 s without a touch, clear every form, end
// on the server whatever case view or filing the last villager opened, and return to the kiosk's
// home page, so the next villager never sees the last one's lookup or case.
(function () {
  "use strict";
  var IDLE_MS = 60 * 1000;
  var REQUEST_MS = 5000;
  var script = document.currentScript;
  var home = (script && script.getAttribute("data-home")) || "/";
  var resetUrl = script && script.getAttribute("data-reset");
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

  function send(method, token, done) {
    var request = new XMLHttpRequest();
    request.open(method, resetUrl);
    request.timeout = REQUEST_MS;
    if (token) request.setRequestHeader("X-CSRFToken", token);
    request.onloadend = function () { done(request); };
    request.send();
  }

  // The public pages are cached without a CSRF token: fetch one, then post the reset. Whatever
  // fails, the screen still goes home (the server ends a kiosk's case view within minutes anyway).
  function endServerSession(then) {
    if (!resetUrl || !window.XMLHttpRequest) { then(); return; }
    send("GET", null, function (request) {
      var token = null;
      try { token = request.status === 200 && JSON.parse(request.responseText).token; } catch (e) { token = null; }
      if (token) send("POST", token, then); else then();
    });
  }

  function reset() {
    clearForms();
    endServerSession(function () {
      if (location.pathname + location.search !== home) {
        location.replace(home); // replace: Back must not bring the last person's page back
      } else {
        window.scrollTo(0, 0);
        restart();
      }
    });
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
