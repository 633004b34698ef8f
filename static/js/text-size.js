// 大字 / 标准字号 without a round trip: the class and the cookie change here, and the next page
// the server renders reads the cookie. The link itself (a request and a redirect) stays for a
// browser that runs no script, and is followed when the cookie cannot be changed from here
// (one the server set HttpOnly before this script existed).
(function () {
  var link = document.querySelector("a[data-text-size]");
  if (!link) return;
  link.addEventListener("click", function (event) {
    var large = !document.body.classList.contains("large-text");
    // Secure over https, like the cookie the server sets (portal/routes.py).
    var attributes = "; path=/; samesite=lax" + (location.protocol === "https:" ? "; secure" : "");
    document.cookie = large ? "text=large; max-age=31536000" + attributes : "text=; max-age=0" + attributes;
    if (/(^|; )text=large(;|$)/.test(document.cookie) !== large) return;
    event.preventDefault();
    document.body.classList.toggle("large-text", large);
    link.textContent = large ? "标准字号" : "大字";
  });
})();
