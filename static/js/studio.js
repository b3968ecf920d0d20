// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Selects marked js-autosubmit submit their form on change (team and language pickers).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select.js-autosubmit")) {
      event.target.form.requestSubmit();
    }
  });

  // The create form shows only the section of the chosen mode.
  function syncMode(form) {
    var checked = form.querySelector("input[name=mode]:checked");
    if (!checked) return;
    form.querySelectorAll(".mode-section").forEach(function (section) {
      section.hidden = section.dataset.mode !== checked.value;
    });
  }

  function counters(root) {
    root.querySelectorAll("[data-counter]").forEach(function (field) {
      if (field.dataset.counterReady) return;
      field.dataset.counterReady = "1";
      var out = document.createElement("span");
      out.className = "counter";
      out.setAttribute("aria-live", "off");
      field.insertAdjacentElement("afterend", out);
      var update = function () { out.textContent = field.value.length; };
      field.addEventListener("input", update);
      update();
    });
  }

  function init(root) {
    // Forms with a mode picker (create, upload) show only the chosen mode's section.
    root.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector(".mode-section")) return;
      syncMode(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "mode") syncMode(form);
      });
    });
    counters(root);
  }

  // The theme picker switches in place and keeps the choice in the cookie the server reads
  // (so the next page is painted right at once); without script the form posts instead.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".theme-choice");
    if (!button) return;
    event.preventDefault();
    var theme = button.value;
    document.documentElement.dataset.theme = theme;
    var cookie = "studio_theme=" + theme + "; path=/; max-age=31536000; samesite=lax";
    if (location.protocol === "https:") cookie += "; secure";
    document.cookie = cookie;
    document.querySelectorAll(".theme-choice").forEach(function (other) {
      other.setAttribute("aria-pressed", String(other.value === theme));
    });
    var scheme = document.querySelector("meta[name=color-scheme]");
    if (scheme) scheme.content = theme === "system" ? "dark light" : theme;
    document.dispatchEvent(new CustomEvent("studio:theme", { detail: theme }));
  });

  // The header menu: open on wide screens even where ::details-content is unknown, and a
  // folded one closes on Escape or a tap elsewhere.
  function menu() {
    var details = document.getElementById("menu");
    if (!details) return;
    var wide = window.matchMedia("(min-width: 821px)");
    var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
    var sync = function () { if (!styled) details.open = wide.matches; };
    sync();
    wide.addEventListener("change", sync);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && details.open && !wide.matches) {
        details.open = false;
        details.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (details.open && !wide.matches && !details.contains(event.target)) details.open = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); menu(); });
  document.addEventListener("htmx:afterSettle", function (event) { counters(event.target); });
})();
