// The player bar: play any song from a card, a song page or a playlist; it keeps a queue,
// and a full page load resumes where it was (the state is kept in sessionStorage).
// Keys wherever focus is not in a field: Space play/pause, ←/→ seek 5 s, N/P next/previous.
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (f, a) { return f.replace("%s", a[0]); };
  var KEY = "studio-player";
  var bar = document.getElementById("player-bar");
  var audio = document.getElementById("player-audio");
  if (!bar || !audio) return;
  var titleLink = bar.querySelector("[data-player=title]");
  var queueInfo = bar.querySelector("[data-player=queue]");
  // state: {queue: [{src, title, href}], index, time, playing}
  var state = load() || { queue: [], index: -1, time: 0, playing: false };

  function load() {
    try { return JSON.parse(sessionStorage.getItem(KEY)); } catch (e) { return null; }
  }
  function save() {
    state.time = audio.currentTime || 0;
    state.playing = !audio.paused;
    try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function current() { return state.queue[state.index]; }
  function show(resumeAt, autoplay) {
    var track = current();
    if (!track) { bar.hidden = true; return; }
    bar.hidden = false;
    document.body.classList.add("has-player");
    titleLink.textContent = track.title;
    titleLink.href = track.href || "#";
    if (window.htmx) window.htmx.process(titleLink); // boosted to its new href (navigation.js)
    queueInfo.textContent = state.queue.length > 1
      ? interpolate(gettext("%s of %s"), [state.index + 1, state.queue.length]) : "";
    if (audio.dataset.src !== track.src) {
      audio.dataset.src = track.src;
      audio.src = track.src;
    }
    if (resumeAt) {
      var seek = function () { audio.currentTime = resumeAt; };
      if (audio.readyState >= 1) seek(); else audio.addEventListener("loadedmetadata", seek, { once: true });
    }
    if (autoplay) audio.play().catch(function () { /* the browser wants a click first */ });
    save();
  }
  function play(tracks, start) {
    state.queue = tracks;
    state.index = start || 0;
    show(0, true);
  }
  function step(offset) {
    var next = state.index + offset;
    if (next < 0 || next >= state.queue.length) return;
    state.index = next;
    show(0, true);
  }
  function trackOf(el) {
    return { src: el.dataset.playerSrc, title: el.dataset.playerTitle || "", href: el.dataset.playerHref || "" };
  }

  document.addEventListener("click", function (event) {
    var all = event.target.closest("[data-player-all]");
    if (all) {
      var first = document.querySelector('[data-player-queue="' + all.dataset.playerAll + '"]');
      if (first) first.click();
      return;
    }
    var button = event.target.closest("[data-player-src]");
    if (button) {
      event.preventDefault();
      var group = button.dataset.playerQueue;
      if (group) {
        var members = Array.prototype.slice.call(document.querySelectorAll('[data-player-queue="' + group + '"]'));
        play(members.map(trackOf), members.indexOf(button));
      } else if (button.dataset.playerAdd && state.queue.length) {
        // "next": right after the song playing; "queue": at the end.
        var at = button.dataset.playerAdd === "next" ? state.index + 1 : state.queue.length;
        state.queue.splice(at, 0, trackOf(button));
        show(0, false);
      } else {
        play([trackOf(button)], 0);
      }
      return;
    }
    var control = event.target.closest("#player-bar [data-player]");
    if (!control) return;
    var what = control.dataset.player;
    if (what === "toggle") { if (audio.paused) audio.play(); else audio.pause(); }
    if (what === "next") step(1);
    if (what === "prev") step(-1);
  });
  audio.addEventListener("ended", function () { step(1); });
  audio.addEventListener("play", save);
  audio.addEventListener("pause", save);
  window.addEventListener("pagehide", save);
  setInterval(function () { if (!audio.paused) save(); }, 1000);

  document.addEventListener("keydown", function (event) {
    if (bar.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest("input, textarea, select, [contenteditable], audio, button, a")) {
      if (!(event.key === " " && target === document.body)) return;
    }
    if (event.key === " ") { event.preventDefault(); if (audio.paused) audio.play(); else audio.pause(); }
    else if (event.key === "ArrowRight") audio.currentTime = Math.min(audio.duration || 0, audio.currentTime + 5);
    else if (event.key === "ArrowLeft") audio.currentTime = Math.max(0, audio.currentTime - 5);
    else if (event.key === "n" || event.key === "N") step(1);
    else if (event.key === "p" || event.key === "P") step(-1);
  });

  // Cards and pages carry play buttons hidden for visitors without this script.
  // (htmx:load: every swap, inner refreshes and whole pages reached by navigation alike.)
  function reveal(root) {
    root.querySelectorAll("[data-player-src][hidden], [data-player-all][hidden]").forEach(function (b) { b.hidden = false; });
  }
  reveal(document);
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
  if (current()) show(state.time, state.playing);
})();
