// 我的反映: the case numbers a villager chose to keep on this phone. They live in this browser's
// localStorage only — never sent to the server, never in a URL the server sees (the list opens
// the tracking page with the number in the #fragment) — and never with the secret.
(function () {
  "use strict";
  var KEY = "yg.mine.v1";
  var MAX = 50;
  var CODE = /^[0-9A-Za-z-]{4,40}$/;

  function store() {
    try {
      var s = window.localStorage;
      s.setItem(KEY + ".probe", "1");
      s.removeItem(KEY + ".probe");
      return s;
    } catch (e) { return null; } // private mode, or storage switched off: offer nothing
  }

  function load(s) {
    try {
      var list = JSON.parse(s.getItem(KEY) || "[]");
      return Array.isArray(list) ? list.filter(function (e) { return e && CODE.test(e.code); }) : [];
    } catch (e) { return []; }
  }

  function save(s, list) { s.setItem(KEY, JSON.stringify(list.slice(0, MAX))); }

  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
  }

  function has(list, code) { return list.some(function (e) { return e.code === code; }); }

  // The done page and the tracking page: an opt-in button.
  function offerToRemember(s, box) {
    var code = box.getAttribute("data-remember");
    if (!CODE.test(code)) return;
    var button = box.querySelector("[data-remember-button]");
    var done = box.querySelector("[data-remember-done]");
    function shown() { button.hidden = true; done.hidden = false; }
    if (has(load(s), code)) shown();
    button.addEventListener("click", function () {
      var list = load(s);
      if (!has(list, code)) list.unshift({ code: code, label: box.getAttribute("data-label") || "", saved: today() });
      save(s, list);
      shown();
      done.querySelector("a").focus();
    });
    box.hidden = false;
  }

  function item(entry, trackUrl, onForget) {
    var li = document.createElement("li");
    var code = document.createElement("span");
    code.className = "mine-code";
    code.textContent = entry.code;
    var when = document.createElement("p");
    when.className = "mine-when muted small";
    when.textContent = (entry.label ? entry.label + " · " : "") + "记于 " + (entry.saved || "");
    var actions = document.createElement("span");
    actions.className = "mine-actions";
    var open = document.createElement("a");
    open.className = "button";
    open.href = trackUrl + "#code=" + encodeURIComponent(entry.code);
    open.textContent = "查看进展";
    open.setAttribute("aria-label", "查看进展：" + entry.code);
    var forget = document.createElement("button");
    forget.type = "button";
    forget.className = "button secondary";
    forget.textContent = "不再记住";
    forget.setAttribute("aria-label", "不再记住：" + entry.code);
    forget.addEventListener("click", onForget);
    actions.appendChild(open);
    actions.appendChild(forget);
    li.appendChild(code);
    li.appendChild(actions);
    li.appendChild(when);
    return li;
  }

  // The 我的反映 page: the list, drawn here from this browser's storage.
  function showList(s, section) {
    var list = section.querySelector("[data-mine-list]");
    var empty = section.querySelector("[data-mine-empty]");
    var clear = section.querySelector("[data-mine-clear]");
    var trackUrl = list.getAttribute("data-track");
    function draw() {
      var entries = load(s);
      while (list.firstChild) list.removeChild(list.firstChild);
      entries.forEach(function (entry) {
        list.appendChild(item(entry, trackUrl, function () {
          save(s, load(s).filter(function (e) { return e.code !== entry.code; }));
          draw();
          section.querySelector("h2").focus();
        }));
      });
      empty.hidden = entries.length > 0;
      clear.hidden = entries.length === 0;
    }
    clear.addEventListener("click", function () { s.removeItem(KEY); draw(); });
    section.querySelector("h2").setAttribute("tabindex", "-1");
    section.hidden = false;
    draw();
  }

  // The tracking form opened from the list: the number is filled in, the secret still typed.
  function fillNumber() {
    var match = /^#code=([0-9A-Za-z-]{4,40})$/.exec(location.hash);
    var field = document.getElementById("code");
    if (!match || !field || field.value) return;
    field.value = decodeURIComponent(match[1]);
    var secret = document.getElementById("secret");
    if (secret) secret.focus();
  }

  var s = store();
  fillNumber();
  if (!s) return;
  var box = document.querySelector("[data-remember]");
  if (box) offerToRemember(s, box);
  var section = document.querySelector("[data-mine]");
  if (section) showList(s, section);
})();
