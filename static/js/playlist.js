// Playlist page: play the songs in order in one player, and reorder them by dragging.
// Without this script the page still links every song and reorders with ↑/↓ forms.
(function () {
  "use strict";
  var list = document.getElementById("playlist");
  var player = document.querySelector(".playlist-player");
  if (!list || !player) return;
  var rows = function () { return Array.prototype.slice.call(list.querySelectorAll("li[data-src]")); };
  var current = null;

  function play(row) {
    if (!row) { current = null; return; }
    if (current) current.classList.remove("playing");
    current = row;
    row.classList.add("playing");
    player.hidden = false;
    player.src = row.dataset.src;
    player.play().catch(function () {});
  }
  player.addEventListener("ended", function () {
    var all = rows();
    play(all[all.indexOf(current) + 1]);
  });
  document.querySelectorAll(".js-play").forEach(function (button) {
    if (!button.closest("li").dataset.src) return;
    button.hidden = false;
    button.addEventListener("click", function () { play(button.closest("li")); });
  });
  var all = document.querySelector(".js-play-all");
  if (all && rows().length) {
    all.hidden = false;
    all.addEventListener("click", function () { play(rows()[0]); });
  }

  // Dragging: the new order is posted whole; the ↑/↓ buttons stay for keyboards.
  var dragged = null;
  list.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("li");
    event.dataTransfer.effectAllowed = "move";
  });
  list.addEventListener("dragover", function (event) {
    var over = event.target.closest("li");
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    var after = event.clientY > over.getBoundingClientRect().top + over.offsetHeight / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });
  list.addEventListener("drop", function (event) {
    event.preventDefault();
    if (!dragged) return;
    dragged = null;
    var body = new URLSearchParams();
    body.append("do", "reorder");
    list.querySelectorAll("li[data-item]").forEach(function (row) { body.append("item", row.dataset.item); });
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    fetch(list.dataset.reorderUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
  });
})();
