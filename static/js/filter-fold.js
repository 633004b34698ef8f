// Filters that fold away on a phone: open them on a screen at least data-open-from pixels wide.
(function () {
  document.querySelectorAll("details[data-open-from]").forEach(function (fold) {
    var width = parseInt(fold.getAttribute("data-open-from"), 10);
    if (window.matchMedia("(min-width: " + width + "px)").matches) {
      fold.open = true;
    }
  });
})();
