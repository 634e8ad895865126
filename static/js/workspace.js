/* The agent workspace: the "/" shortcut to the header search. */
(function () {
  "use strict";
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if (document.documentElement.dataset.shortcuts === "off") return;
    var box = document.getElementById("header-search");
    if (!box) return;
    ev.preventDefault();
    box.focus();
    box.select();
  });
})();
