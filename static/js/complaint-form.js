// The complaint form on a weak signal. What is typed is kept as a draft in this phone's browser
// (category and text only: never the name or phone), restored if the page is opened again, and
// removed once the case is filed. A submission that fails for lack of connection is kept in the
// page and sent again when the connection returns, with the same form — so the same ticket, the
// server's idempotency key — and nothing is filed twice. Without this script the form posts as
// a plain form, as it always did.
(function () {
  "use strict";
  var form = document.querySelector("form.complaint-form");
  var doneMarker = document.querySelector("[data-clear-draft]");
  var PREFIX = "yg.draft.v1:";
  var RETRY_MS = 15000;

  function store() {
    try {
      var s = window.localStorage;
      s.setItem(PREFIX + "probe", "1");
      s.removeItem(PREFIX + "probe");
      return s;
    } catch (e) { return null; }
  }
  var s = store();

  // The done page: this village's draft has become a case.
  if (doneMarker) {
    if (s) s.removeItem(PREFIX + doneMarker.getAttribute("data-clear-draft"));
    return;
  }
  if (!form) return;

  var key = PREFIX + (form.querySelector("[name=village]").value || "");
  var text = form.querySelector("[name=text]");
  var notice = document.getElementById("draft-notice");
  var status = document.getElementById("send-status");

  // ---- the draft ----
  function category() {
    var checked = form.querySelector("[name=category]:checked");
    return checked ? checked.value : "";
  }

  function saveDraft() {
    if (!s) return;
    if (!text.value.trim()) { s.removeItem(key); return; }
    try { s.setItem(key, JSON.stringify({ text: text.value, category: category(), at: Date.now() })); } catch (e) { /* full */ }
  }

  function restoreDraft() {
    if (!s || text.value.trim()) return; // a page the server filled (an error, a kept text) wins
    var draft;
    try { draft = JSON.parse(s.getItem(key) || "null"); } catch (e) { draft = null; }
    if (!draft || typeof draft.text !== "string" || !draft.text.trim()) return;
    text.value = draft.text;
    var choice = draft.category && form.querySelector("[name=category][value='" + draft.category.replace(/[^a-z_]/g, "") + "']");
    if (choice && !category()) choice.checked = true;
    if (notice) notice.hidden = false;
  }

  if (notice) {
    notice.querySelector("button").addEventListener("click", function () {
      if (s) s.removeItem(key);
      text.value = "";
      notice.hidden = true;
      text.focus();
    });
  }
  var timer = null;
  form.addEventListener("input", function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(saveDraft, 400);
  });
  form.addEventListener("change", saveDraft);
  restoreDraft();

  // ---- sending, and sending again ----
  if (!window.fetch || !window.FormData || !status) return;
  var pending = null; // the FormData of a submission not yet answered
  var retryTimer = null;
  // One request at a time: the "online" event and the retry timer can both fire while a send is
  // on its way, and a second answer (已经提交过了, for the same ticket) would replace the done
  // page with its case number, and write back the draft that page had just cleared.
  var inFlight = false;

  function say(message, waiting) {
    status.textContent = message; // an empty live region takes no room (site.css)
    status.classList.toggle("waiting", !!waiting);
  }

  function show(html) {
    // The server's answer is a whole page (the done page, or the form with its errors): shown
    // as if the browser had posted the form itself.
    document.open();
    document.write(html);
    document.close();
    window.scrollTo(0, 0);
  }

  function send() {
    if (!pending || inFlight) return;
    inFlight = true;
    var body = pending;
    say("正在提交……", false);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        inFlight = false;
        pending = null;
        if (retryTimer) clearInterval(retryTimer);
        if (timer) clearTimeout(timer); // a keystroke's pending save must not bring the draft back
        // Filed (the done page carries the marker): the draft has become a case, cleared here
        // rather than left to the answer page's own copy of this script, which a browser may not
        // run again in a page written by document.write. Refused: kept for the next try.
        if (html.indexOf("data-clear-draft=") !== -1) { if (s) s.removeItem(key); } else saveDraft();
        show(html);
      })
      .catch(function () {
        inFlight = false;
        // No answer: no connection, or it dropped. Keep the very same form data (same ticket)
        // and try again when the phone is back online, and every little while meanwhile.
        say("网络连接断开了，您的反映还没有提交。内容已保存在这部手机上，恢复联网后会自动提交，请不要关闭这个页面。", true);
        if (!retryTimer) retryTimer = setInterval(function () { if (navigator.onLine !== false) send(); }, RETRY_MS);
      });
  }

  form.addEventListener("submit", function (event) {
    if (!form.checkValidity()) return; // the browser's own messages first
    event.preventDefault();
    saveDraft();
    if (!pending) pending = new FormData(form);
    send();
  });
  window.addEventListener("online", send);
})();
