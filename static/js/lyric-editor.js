// The lyric editor: waveform, karaoke lines, selection as a draggable region.
// The server rebuilds and checks every request (preview and submit); this only helps pick.
import WaveSurfer from "../vendor/wavesurfer-7.12.12/wavesurfer.esm.js";
import RegionsPlugin from "../vendor/wavesurfer-7.12.12/plugins/regions.esm.js";

// The editor starts on every #section-form that appears, once: on a page load, and when
// navigation (navigation.js) swaps the page in, which does not evaluate this module again.
function start() {
  const form = document.getElementById("section-form");
  if (!form || form.dataset.editorStarted) return;
  form.dataset.editorStarted = "1";
  const data = JSON.parse(document.getElementById("editor-data").textContent);
  // Stops the listeners this editor put on the document, when its page is swapped away.
  const stop = new AbortController();
  const bound = { signal: stop.signal };
  const field = (name) => form.elements.namedItem(name);
  const buttons = [...document.querySelectorAll("#lines .line")];
  const playButton = document.getElementById("play");
  const loopButton = document.getElementById("loop");
  const clock = document.getElementById("clock");

  // The waveform takes its colours from the stylesheet, so it follows the theme.
  const cssColour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const colours = () => ({
    waveColor: cssColour("--wave"),
    progressColor: cssColour("--accent"),
    cursorColor: cssColour("--accent-2"),
  });
  const ws = WaveSurfer.create({
    container: "#waveform",
    url: data.audio,
    peaks: data.peaks.length ? [data.peaks] : undefined,
    duration: data.duration || undefined,
    height: 96,
    ...colours(),
    dragToSeek: true,
    // The nonce of this document's CSP: a page swapped in by navigation brings a newer one.
    cspNonce: document.querySelector("meta[name=csp-nonce]")?.nonce || data.nonce,
  });
  document.addEventListener("studio:theme", () => ws.setOptions(colours()), bound);
  window.matchMedia("(prefers-color-scheme: light)")
    .addEventListener("change", () => ws.setOptions(colours()), bound);
  const regions = ws.registerPlugin(RegionsPlugin.create());

  let anchor = null;
  let region = null;
  let looping = false;
  let prefill = "";

  const fmt = (s) => `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, "0")}`;
  // gettext and interpolate come from the JavaScript catalogue (/jsi18n/, loaded first).
  const span = (start, end) => interpolate(
    gettext("%(start)s – %(end)s (%(seconds)s s)"),
    { start: fmt(start), end: fmt(end), seconds: (end - start).toFixed(1) },
    true,
  );
  const round = (s) => Math.round(s * 1000) / 1000;

  function announce() {
    form.dispatchEvent(new Event("selectionchanged"));
  }

  function selectedText(first, last) {
    const out = [];
    for (let i = first; i <= last; i++) {
      const line = data.lines[i];
      if (line.header && i !== first) out.push(line.header);
      out.push(line.text);
    }
    return out.join("\n");
  }

  function drawRegion(start, end) {
    if (region) region.remove();
    region = regions.addRegion({
      start, end, drag: true, resize: true, color: "rgba(255, 122, 69, 0.25)",
    });
  }

  function select(first, last) {
    [first, last] = [Math.min(first, last), Math.max(first, last)];
    buttons.forEach((b, i) => b.setAttribute("aria-pressed", String(i >= first && i <= last)));
    field("first").value = first;
    field("last").value = last;
    const start = data.lines[first].start;
    const end = data.lines[last].end;
    field("start").value = round(start);
    field("end").value = round(end);
    // Keep what the user typed; replace only our own earlier suggestion.
    const text = field("new_lines");
    if (!text.value.trim() || text.value === prefill) {
      prefill = selectedText(first, last);
      text.value = prefill;
    }
    drawRegion(start, end);
    const long = end - start > data.maxWindow;
    clock.textContent = span(start, end);
    clock.classList.toggle("error", long);
    announce();
  }

  regions.on("region-updated", (r) => {
    field("start").value = round(r.start);
    field("end").value = round(r.end);
    clock.textContent = span(r.start, r.end);
    announce();
  });
  regions.on("region-out", (r) => {
    if (looping && r === region) r.play();
  });

  buttons.forEach((button, i) => {
    button.addEventListener("click", (event) => {
      if (event.shiftKey && anchor !== null) {
        select(anchor, i);
      } else {
        anchor = i;
        select(i, i);
        ws.setTime(data.lines[i].start);
      }
    });
    button.addEventListener("keydown", (event) => {
      const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
      if (step) {
        event.preventDefault();
        const next = buttons[Math.min(Math.max(i + step, 0), buttons.length - 1)];
        next.focus();
        if (event.shiftKey && anchor !== null) select(anchor, buttons.indexOf(next));
      } else if (event.key === "Enter" && event.shiftKey && anchor !== null) {
        event.preventDefault();
        select(anchor, i);
      }
    });
  });

  // Typing in the first/last boxes (or the no-JS selects) moves the selection too.
  ["first", "last"].forEach((name) => field(name).addEventListener("change", () => {
    anchor = Number(field("first").value);
    select(anchor, Number(field("last").value));
  }));
  ["start", "end"].forEach((name) => field(name).addEventListener("change", () => {
    const start = Number(field("start").value);
    const end = Number(field("end").value);
    if (end > start) drawRegion(start, end);
  }));

  function togglePlay() {
    if (region && looping && !ws.isPlaying()) region.play();
    else ws.playPause();
  }
  playButton.addEventListener("click", togglePlay);
  loopButton.addEventListener("click", () => {
    looping = !looping;
    loopButton.setAttribute("aria-pressed", String(looping));
    if (looping && region) region.play();
  });
  ws.on("play", () => { playButton.textContent = playButton.dataset.pause; });
  ws.on("pause", () => { playButton.textContent = playButton.dataset.play; });
  playButton.dataset.play = playButton.textContent;
  playButton.dataset.pause = gettext("Pause");

  // Karaoke: the line being sung lights up and stays in view.
  let current = -1;
  ws.on("timeupdate", (t) => {
    const index = data.lines.findIndex((line) => t >= line.start && t < line.end);
    if (index === current) return;
    if (current >= 0) buttons[current].classList.remove("playing");
    current = index;
    if (index >= 0) {
      buttons[index].classList.add("playing");
      buttons[index].scrollIntoView({ block: "nearest" });
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey) return;
    if (event.key === "p" || event.key === "P") { event.preventDefault(); togglePlay(); }
    if (event.key === "l" || event.key === "L") { event.preventDefault(); loopButton.click(); }
  }, bound);

  [playButton, loopButton, document.getElementById("keys-help")].forEach((el) => { el.hidden = false; });
  ws.on("ready", () => { document.body.dataset.editorReady = "1"; });
  document.addEventListener("htmx:beforeCleanupElement", (event) => {
    if (event.target !== form) return;
    stop.abort();
    ws.destroy();
    delete document.body.dataset.editorReady;
  }, bound);
  // Start from what the server rendered (a re-shown form after an error keeps its selection).
  const first = Number(field("first").value || 0);
  const last = Number(field("last").value || 0);
  if (form.dataset.bound === "1") select(first, last);
}

start();
document.addEventListener("htmx:load", start);
