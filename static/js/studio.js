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
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
