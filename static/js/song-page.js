// The song page: a waveform of the song and, with lyric timing, karaoke lines, both following
// the ONE player bar (static/js/player.js). Clicking the waveform or a line plays there in the bar.
//
// The waveform widget never holds the bar's <audio>: it only draws. Given a media element,
// wavesurfer 7 replaces its src with a blob while decoding and, on destroy, may pause and
// remove it; the bar must survive page changes, so its progress is copied in (setTime) instead.
import WaveSurfer from "../vendor/wavesurfer-7.12.12/wavesurfer.esm.js";

const audio = document.getElementById("player-audio");
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
const pages = new Set();

// The waveform's <style> needs the nonce of the document's CSP: the one in <head>, which stays
// when navigation swaps only the page's content (a swapped-in page brings a nonce of its own).
const nonce = () => document.querySelector("meta[name=csp-nonce]")?.nonce || undefined;
const cssColour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const colours = () => ({
  waveColor: cssColour("--wave"),
  progressColor: cssColour("--accent"),
  cursorColor: cssColour("--accent-2"),
});

function readData(root) {
  const script = root.querySelector("#song-timing");
  if (!script) return { lines: [], peaks: [] };
  try { return JSON.parse(script.textContent); } catch (e) { return { lines: [], peaks: [] }; }
}

// Is the bar's track this song? player.js keeps the track's own URL in dataset.src.
function barPlays(src) {
  if (!audio || !audio.getAttribute("src")) return false;
  if (audio.dataset.src) return audio.dataset.src === src;
  return audio.src === new URL(src, location.href).href;
}

function whenReady(callback) {
  if (audio.readyState >= 1) callback();
  else audio.addEventListener("loadedmetadata", callback, { once: true });
}

function setUp(root) {
  const wave = root.querySelector("[data-song-wave]");
  if (!wave || !audio) return null;
  const src = wave.dataset.src;
  const data = readData(root);
  const lines = Array.isArray(data.lines) ? data.lines : [];
  const cleanups = [];
  const listen = (target, type, handler, options) => {
    target.addEventListener(type, handler, options);
    cleanups.push(() => target.removeEventListener(type, handler, options));
  };

  // Play in the bar at `time`: the same track only seeks (its queue stays); another track
  // goes through the page's own "Play in the bar" button, as a click there would.
  function playAt(time) {
    if (!barPlays(src)) {
      const button = root.querySelector("[data-player-src]:not([data-player-add])");
      if (!button) return;
      button.click();
    }
    whenReady(() => {
      audio.currentTime = time;
      audio.play().catch(() => { /* the browser wants a click first: the bar shows paused */ });
    });
  }

  // The waveform: from the timing's peaks when the song has them (no download), else the
  // widget fetches and decodes the audio itself.
  const duration = Number(wave.dataset.duration) || 0;
  const peaks = Array.isArray(data.peaks) && data.peaks.length && duration ? [data.peaks] : undefined;
  const ws = WaveSurfer.create({
    container: wave,
    url: peaks ? undefined : src,
    peaks,
    duration: peaks ? duration : undefined,
    height: 64,
    barWidth: 2,
    barGap: 1,
    barRadius: 2,
    cursorWidth: 2,
    ...colours(),
    cspNonce: nonce(),
  });
  wave.hidden = false;
  // The page's own player would be a second audio beside the bar: the waveform replaces it.
  const pagePlayer = root.querySelector("audio.player");
  if (pagePlayer) { pagePlayer.pause(); pagePlayer.hidden = true; }
  ws.on("error", () => {
    wave.hidden = true;
    if (pagePlayer) pagePlayer.hidden = false;
  });
  ws.on("ready", () => { wave.dataset.ready = "1"; follow(); });
  ws.on("interaction", (time) => playAt(time));
  const recolour = () => ws.setOptions(colours());
  listen(document, "studio:theme", recolour);
  listen(window.matchMedia("(prefers-color-scheme: light)"), "change", recolour);

  // Karaoke: the timed lines replace the plain lyrics; the line being sung is lit.
  const karaoke = root.querySelector("#karaoke");
  const buttons = [];
  let list = null;
  if (karaoke && lines.length) {
    list = karaoke.querySelector(".karaoke-lines");
    list.replaceChildren(); // set up again after its hero was swapped
    lines.forEach((line) => {
      if (line.header) {
        const header = document.createElement("li");
        header.className = "section-header";
        header.setAttribute("aria-hidden", "true");
        header.textContent = line.header;
        list.append(header);
      }
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "karaoke-line";
      button.textContent = line.text;
      button.addEventListener("click", () => playAt(line.start));
      item.append(button);
      list.append(item);
      buttons.push(button);
    });
    karaoke.parentElement.querySelectorAll(":scope > :not(h2, #karaoke)").forEach((el) => { el.hidden = true; });
    karaoke.hidden = false;
  }

  // Keep the lit line in the middle of the list's own box (never scroll the page under the
  // reader), unless the reader scrolled the list a moment ago.
  let readerScrolledAt = 0;
  if (list) {
    // (Not "scroll": our own smooth scrolling fires it too.)
    const reading = () => { readerScrolledAt = Date.now(); };
    ["wheel", "touchmove"].forEach((type) => listen(list, type, reading, { passive: true }));
  }
  function reveal(button) {
    if (Date.now() - readerScrolledAt < 4000) return;
    const item = button.parentElement;
    const top = Math.max(0, item.offsetTop - (list.clientHeight - item.offsetHeight) / 2);
    if (Math.abs(list.scrollTop - top) < 2) return;
    list.scrollTo({ top, behavior: reducedMotion.matches ? "auto" : "smooth" });
  }

  let lit = -1;
  function light(index) {
    if (index === lit) return;
    if (lit >= 0) { buttons[lit].classList.remove("sung"); buttons[lit].removeAttribute("aria-current"); }
    lit = index;
    if (index < 0) return;
    buttons[index].classList.add("sung");
    buttons[index].setAttribute("aria-current", "true");
    reveal(buttons[index]);
  }
  function lineAt(time) {
    // A seek lands on a line's start exactly; allow for the float that comes back.
    const t = time + 0.05;
    for (let i = lines.length - 1; i >= 0; i--) {
      if (t >= lines[i].start) return t < lines[i].end ? i : -1;
    }
    return -1;
  }

  // Follow the bar: its time when it plays this song, nothing lit and no progress otherwise.
  function follow() {
    const mine = barPlays(src);
    const time = mine ? audio.currentTime || 0 : 0;
    if (ws.getDuration()) ws.setTime(time);
    if (buttons.length) light(mine ? lineAt(time) : -1);
  }
  ["timeupdate", "seeked", "play", "pause", "loadedmetadata", "emptied"].forEach((type) => listen(audio, type, follow));
  follow();

  return {
    root,
    wave,
    destroy() {
      cleanups.forEach((undo) => undo());
      ws.destroy();
      pages.delete(this);
      root.songPage = null;
    },
  };
}

function init(scope) {
  // Pages swapped away (htmx navigation) take their waveform with them.
  pages.forEach((page) => { if (!page.wave.isConnected) page.destroy(); });
  const inside = scope.closest?.("[data-song-page]");
  const roots = inside ? [inside] : [...(scope.querySelectorAll?.("[data-song-page]") || [])];
  roots.forEach((root) => {
    if (root.songPage) return;
    const page = setUp(root);
    if (page) { root.songPage = page; pages.add(page); }
  });
}

// A swap that removes the page or only its hero (a song that just became ready) ends its
// waveform; the new content's htmx:load sets one up again.
document.addEventListener("htmx:beforeCleanupElement", (event) => {
  pages.forEach((page) => { if (event.target.contains(page.wave)) page.destroy(); });
});
document.addEventListener("htmx:load", (event) => init(event.target));
init(document);
