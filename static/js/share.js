// Share page: a Copy button beside each link (shown only where the clipboard can be used).
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  document.querySelectorAll(".js-copy").forEach(function (button) {
    var input = document.getElementById(button.dataset.copy);
    if (!input || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = gettext("Copied");
      });
    });
  });
  document.querySelectorAll(".share-url").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
