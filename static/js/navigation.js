// Navigation that keeps the player bar playing: links and GET forms inside #page (hx-boost in
// base.html) fetch the next page and swap its #page into this one, so the bar's <audio>,
// outside #page, is never replaced. Without this script (or htmx) every link is a plain load.
//
// What this asks of a page's own script: the page may arrive by a swap, not a load, so
//  - start on what is there and again on "htmx:load", once per element (mark it started);
//    a module (type="module") is evaluated once per document, so only its listener runs later;
//  - put listeners on document/window with an AbortSignal and abort them on
//    "htmx:beforeCleanupElement" of the page's own element (see lyric-editor.js);
//  - a <style> or a widget that needs the CSP nonce takes meta[name=csp-nonce].nonce: the
//    nonce rendered in a swapped page is not the one this document's policy allows.
(function () {
  "use strict";
  var PAGE = /<div id="page"[\s>]/;

  // What stays a plain browser request: posts (they change the whole page or answer with a
  // file or a redirect elsewhere; a plain post is the well-trodden path, and the bar resumes
  // after it from sessionStorage), files, other sites and links that open elsewhere.
  function keepPlain(elt) {
    if (elt.hasAttribute("hx-boost")) return false; // the template decided
    if (elt.tagName === "FORM") {
      return (elt.getAttribute("method") || "get").toLowerCase() !== "get";
    }
    if (elt.tagName === "A") {
      // data-confirm: studio.js asks in a <dialog> first.
      return elt.hasAttribute("download") || elt.hasAttribute("data-confirm") ||
        elt.origin !== location.origin;
    }
    return false;
  }
  // Before htmx looks at an element (page load and every swap), so it never boosts these.
  document.addEventListener("htmx:beforeProcessNode", function (event) {
    var elt = event.target;
    if ((elt.tagName === "A" || elt.tagName === "FORM") && keepPlain(elt)) {
      elt.setAttribute("hx-boost", "false");
    }
  });

  // A boosted answer is a whole page: swap its #page for ours, whatever its status (a 404 or
  // 403 page shows as it would on a plain load). An answer that is not a studio page (a file,
  // the admin, a shared page) is opened by the browser itself.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.boosted) return;
    var page = document.getElementById("page");
    var type = detail.xhr.getResponseHeader("Content-Type") || "";
    if (!page || type.indexOf("text/html") !== 0 || !PAGE.test(detail.serverResponse)) {
      detail.shouldSwap = false;
      location.assign(detail.xhr.responseURL || detail.pathInfo.finalRequestPath);
      return;
    }
    detail.shouldSwap = true;
    detail.isError = false;
    detail.target = page;
    detail.selectOverride = "#page";
    detail.swapOverride = "outerHTML";
  });
  // Back/forward fetch the page again (no copies are kept); if that fails, load it plainly.
  document.addEventListener("htmx:historyCacheMissLoadError", function () { location.reload(); });
  // A network failure or a timeout: try the plain way, which at least says what is wrong.
  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail.boosted) location.assign(event.detail.pathInfo.finalRequestPath);
  });
})();
