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

  // Characters as the server counts them: code points (an emoji or a CJK character is
  // one, as Python's len), one per line break (the server turns CRLF into LF), without
  // outer whitespace (the server strips it).
  function characters(text) {
    return Array.from(text.replace(/\r\n?/g, "\n").trim()).length;
  }

  // The limit of a counted field: its own (data-limit), or the chosen model's
  // (data-limits on the form's model picker, by field kind).
  function limitOf(field) {
    if (field.dataset.limit) return parseInt(field.dataset.limit, 10);
    var picker = field.form && field.form.querySelector("[data-limits]");
    if (!picker) return null;
    var limits = JSON.parse(picker.dataset.limits)[picker.value];
    return limits ? limits[field.dataset.counter] || null : null;
  }

  function counters(root) {
    root.querySelectorAll("[data-counter]").forEach(function (field) {
      if (field.dataset.counterReady) return;
      field.dataset.counterReady = "1";
      var out = document.createElement("span");
      out.className = "counter";
      out.setAttribute("aria-live", "off");
      field.insertAdjacentElement("afterend", out);
      var update = function () {
        var n = characters(field.value);
        var limit = limitOf(field);
        out.textContent = limit ? interpolate(gettext("%(n)s / %(limit)s"), {n: n, limit: limit}, true) : String(n);
        out.classList.toggle("over", limit !== null && n > limit);
      };
      field.addEventListener("input", update);
      if (field.form) field.form.addEventListener("change", function (event) {
        if (event.target.matches("[data-limits]")) update();
      });
      update();
    });
  }

  // The create form's advanced controls: the gated ones are switched off (and so not
  // sent) while the chosen model does not take them; the server refuses them anyway.
  function advancedControls(root) {
    root.querySelectorAll("[data-advanced-models]").forEach(function (box) {
      if (box.dataset.advancedReady) return;
      box.dataset.advancedReady = "1";
      var picker = (box.closest("form") || document).querySelector("[data-limits]");
      if (!picker) return;
      var models = box.dataset.advancedModels.split(" ");
      var gated = ["vocal_gender", "variety", "weirdness", "style_influence", "audio_weight", "max_mode"];
      var update = function () {
        var off = models.indexOf(picker.value) < 0;
        gated.forEach(function (name) {
          var input = box.querySelector("[name=" + name + "]");
          if (input) input.disabled = off;
        });
        box.querySelector(".advanced-off").hidden = !off;
      };
      picker.addEventListener("change", update);
      update();
    });
  }

  function megabytes(bytes) { return (bytes / 1048576).toFixed(1); }
  function clock(seconds) {
    seconds = Math.round(seconds);
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  // Upload: drop a file on the zone (or pick it), see its size and length against the
  // limits before sending, and a progress bar while it goes (htmx sends the form over XHR;
  // without scripts it is a plain post, and the server checks the same limits either way).
  function uploadForm(form) {
    if (form.dataset.uploadReady) return;
    form.dataset.uploadReady = "1";
    var zone = form.querySelector("#dropzone");
    var input = form.querySelector("input[type=file]");
    var chosen = form.querySelector("#upload-chosen");
    var progress = form.querySelector("#upload-progress");
    var bar = form.querySelector("#upload-progress-bar");
    var percent = form.querySelector("#upload-progress-text");
    var button = form.querySelector("button[type=submit]");
    var maxBytes = Number(form.dataset.maxBytes), maxSeconds = Number(form.dataset.maxSeconds);
    var problem = "";

    function show(text, bad) {
      chosen.hidden = false;
      chosen.textContent = text;
      chosen.classList.toggle("error", bad);
      zone.classList.toggle("invalid", bad);
    }
    function check() {
      var file = input.files && input.files[0];
      problem = "";
      if (!file) {
        chosen.hidden = true;
        zone.classList.remove("invalid");
        return;
      }
      var facts = { name: file.name, size: megabytes(file.size), max: Math.floor(maxBytes / 1048576) };
      if (file.size > maxBytes) {
        problem = interpolate(gettext("%(name)s is %(size)s MB; files of up to %(max)s MB can be uploaded."), facts, true);
        show(problem, true);
        return;
      }
      show(interpolate(gettext("%(name)s · %(size)s MB"), facts, true), false);
      // The length as the browser reads it; the server reads it again from the file.
      var url = URL.createObjectURL(file);
      var audio = document.createElement("audio");
      audio.preload = "metadata";
      audio.addEventListener("loadedmetadata", function () {
        URL.revokeObjectURL(url);
        if (!input.files || input.files[0] !== file || !isFinite(audio.duration)) return;
        facts.length = clock(audio.duration);
        facts.limit = clock(maxSeconds);
        if (audio.duration > maxSeconds) {
          problem = interpolate(gettext("%(name)s lasts %(length)s; audio of up to %(limit)s can be uploaded."), facts, true);
          show(problem, true);
        } else {
          show(interpolate(gettext("%(name)s · %(size)s MB · %(length)s"), facts, true), false);
        }
      });
      audio.addEventListener("error", function () { URL.revokeObjectURL(url); });
      audio.src = url;
    }

    input.addEventListener("change", check);
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      check();
    });
    form.addEventListener("htmx:beforeRequest", function (event) {
      if (event.target !== form) return;
      if (problem) {
        event.preventDefault();
        show(problem, true);
        return;
      }
      button.disabled = true;
      if (input.files && input.files.length) {
        progress.hidden = false;
        bar.value = 0;
        percent.textContent = "0%";
      }
    });
    form.addEventListener("htmx:xhr:progress", function (event) {
      if (!event.detail.total) return;
      // Upload and then answer both report here: the bar only moves forward.
      var value = Math.max(bar.value, Math.round((event.detail.loaded / event.detail.total) * 100));
      bar.value = value;
      percent.textContent = value + "%";
    });
    form.addEventListener("htmx:afterRequest", function () { button.disabled = false; });
  }

  function init(root) {
    // Forms with a mode picker (create, upload) show only the chosen mode's section.
    var forms = Array.prototype.slice.call(root.querySelectorAll("form"));
    if (root.matches && root.matches("form")) forms.push(root);
    forms.forEach(function (form) {
      if (form.id === "upload-form") uploadForm(form);
      if (!form.querySelector(".mode-section") || form.dataset.modeReady) return;
      form.dataset.modeReady = "1";
      syncMode(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "mode") syncMode(form);
      });
    });
    counters(root);
    advancedControls(root);
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
  // folded one closes on Escape or a tap elsewhere. The header is new after each page swap
  // (navigation.js), so the listeners look it up rather than keep it.
  var wide = window.matchMedia("(min-width: 821px)");
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function syncMenu() {
    var details = document.getElementById("menu");
    if (details && !styled) details.open = wide.matches;
  }
  wide.addEventListener("change", syncMenu);
  document.addEventListener("keydown", function (event) {
    var details = document.getElementById("menu");
    if (event.key === "Escape" && details && details.open && !wide.matches) {
      details.open = false;
      details.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    var details = document.getElementById("menu");
    if (details && details.open && !wide.matches && !details.contains(event.target)) details.open = false;
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); syncMenu(); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
  // Before the new header is painted.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "page") syncMenu();
  });
})();

// Destructive links (delete, remove) ask in a <dialog> and post from it; without scripts
// (or <dialog>) the link opens the same question as a page.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-confirm]");
    var dialog = document.getElementById("confirm-dialog");
    if (!link || !dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    dialog.querySelector("[data-confirm-question]").textContent = link.dataset.confirm;
    dialog.querySelector("[data-confirm-consequence]").textContent = link.dataset.confirmConsequence || "";
    dialog.querySelector("[data-confirm-button]").textContent = link.dataset.confirmButton;
    dialog.querySelector("form").action = link.href;
    dialog.showModal();
  });
})();
