// The song page's stem mixer: every stem's <audio> plays from one transport, in sync, and
// Solo / Mute change what is heard while they play. Without this script the list is plain
// players and download links. Gains are the elements' own `muted`: no Web Audio graph, so a
// stem streams with Range requests like any other song.
const DRIFT = 0.08; // seconds a stem may run apart from the first before it is put back

function setUp(root) {
  const rows = [...root.querySelectorAll("[data-mixer-row]")].map((row) => ({
    row,
    audio: row.querySelector("[data-mixer-audio]"),
    solo: row.querySelector("[data-mixer-solo]"),
    mute: row.querySelector("[data-mixer-mute]"),
  }));
  if (!rows.length) return null;
  const transport = root.querySelector("[data-mixer-transport]");
  const play = root.querySelector("[data-mixer-play]");
  const seek = root.querySelector("[data-mixer-seek]");
  const lead = rows[0].audio;
  const pressed = (button) => button.getAttribute("aria-pressed") === "true";

  // Heard: not muted, and soloed when anything is soloed.
  function apply() {
    const soloing = rows.some((r) => pressed(r.solo));
    rows.forEach((r) => {
      const heard = !pressed(r.mute) && (!soloing || pressed(r.solo));
      r.audio.muted = !heard;
      r.row.dataset.heard = heard ? "true" : "false";
    });
  }

  const playing = () => !lead.paused;
  function setPlaying(on) {
    play.setAttribute("aria-pressed", on ? "true" : "false");
    if (on) {
      const at = lead.currentTime;
      rows.forEach((r) => { r.audio.currentTime = at; r.audio.play().catch(() => {}); });
    } else {
      rows.forEach((r) => r.audio.pause());
    }
  }

  rows.forEach((r) => {
    r.audio.controls = false; // the transport drives them all
    r.solo.hidden = false;
    r.mute.hidden = false;
    r.solo.addEventListener("click", () => {
      r.solo.setAttribute("aria-pressed", pressed(r.solo) ? "false" : "true");
      apply();
    });
    r.mute.addEventListener("click", () => {
      r.mute.setAttribute("aria-pressed", pressed(r.mute) ? "false" : "true");
      apply();
    });
  });
  play.addEventListener("click", () => setPlaying(!playing()));
  lead.addEventListener("timeupdate", () => {
    if (lead.duration) seek.value = String(Math.round((lead.currentTime / lead.duration) * 1000));
    rows.slice(1).forEach((r) => {
      if (!r.audio.paused && Math.abs(r.audio.currentTime - lead.currentTime) > DRIFT) {
        r.audio.currentTime = lead.currentTime;
      }
    });
  });
  lead.addEventListener("ended", () => setPlaying(false));
  seek.addEventListener("input", () => {
    if (!lead.duration) return;
    const at = (Number(seek.value) / 1000) * lead.duration;
    rows.forEach((r) => { r.audio.currentTime = at; });
  });
  transport.hidden = false;
  apply();
  root.stemMixer = { rows, apply, setPlaying };
  return root.stemMixer;
}

function init(scope) {
  const inside = scope.closest?.("[data-stem-mixer]");
  const roots = inside ? [inside] : [...(scope.querySelectorAll?.("[data-stem-mixer]") || [])];
  roots.forEach((root) => { if (!root.stemMixer) setUp(root); });
}

document.addEventListener("htmx:load", (event) => init(event.target));
init(document);
