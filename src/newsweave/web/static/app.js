// Citation popovers: hover shows them (CSS); a click or tap pins one open, Escape closes.
// No text is built here: the supporting sentences are rendered (escaped) by the server.
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll(".cite.open").forEach(function (c) {
      if (c !== except) {
        c.classList.remove("open");
        var b = c.querySelector(".cite-btn");
        if (b) { b.setAttribute("aria-expanded", "false"); }
      }
    });
  }
  function place(cite) {
    var pop = cite.querySelector(".popover");
    if (!pop) { return; }
    pop.classList.remove("flip");
    var r = pop.getBoundingClientRect();
    if (r.right > window.innerWidth - 8) { pop.classList.add("flip"); }
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest(".cite-btn") : null;
    if (!btn) {
      if (!(ev.target.closest && ev.target.closest(".popover"))) { closeAll(null); }
      return;
    }
    var cite = btn.parentElement;
    var open = !cite.classList.contains("open");
    closeAll(cite);
    cite.classList.toggle("open", open);
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { place(cite); }
  });
  document.addEventListener("mouseover", function (ev) {
    var cite = ev.target.closest ? ev.target.closest(".cite") : null;
    if (cite) { place(cite); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      closeAll(null);
      var f = document.activeElement;
      if (f && f.classList && f.classList.contains("cite-btn")) { f.blur(); }
    }
  });
}());
