// Playlist page: reorder the songs by dragging (they play in the player bar, player.js).
// Without this script the page still links every song and reorders with ↑/↓ forms.
(function () {
  "use strict";
  var list = document.getElementById("playlist");
  if (!list) return;
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
