// "Custom" in the range presets moves the focus to the first date field (without JavaScript the
// link still scrolls there).
(function () {
  "use strict";
  document.querySelectorAll("[data-focus]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.dataset.focus);
      if (!field) return;
      event.preventDefault();
      field.focus();
    });
  });
})();
