/* The agent workspace: the "/" shortcut to the header search, and the switch that turns every
   single-key shortcut (/, r, n, e, a) off or on again (WCAG 2.1.4), remembered in this browser. */
(function () {
  "use strict";
  var KEY = "kimondesk.shortcuts";
  var root = document.documentElement;
  function stored() { try { return localStorage.getItem(KEY); } catch (e) { return null; } }
  root.dataset.shortcuts = stored() === "off" ? "off" : "on";
  var toggle = document.getElementById("shortcuts-toggle");
  function show() {
    if (!toggle) return;
    var on = root.dataset.shortcuts !== "off";
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? "Shortcuts on" : "Shortcuts off";
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      root.dataset.shortcuts = root.dataset.shortcuts === "off" ? "on" : "off";
      try { localStorage.setItem(KEY, root.dataset.shortcuts); } catch (e) { /* private mode */ }
      show();
    });
    show();
  }
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

/* Queue pages: "select all" and the count of selected tickets for the bulk bar. */
(function () {
  "use strict";
  var all = document.getElementById("bulk-all");
  var count = document.getElementById("bulk-count");
  var picks = Array.prototype.slice.call(document.querySelectorAll(".bulk-pick"));
  if (!picks.length) return;
  function update() {
    var n = picks.filter(function (p) { return p.checked; }).length;
    if (count) count.textContent = n ? "(" + n + " selected)" : "";
    if (all) {
      all.checked = n === picks.length;
      all.indeterminate = n > 0 && n < picks.length;
    }
  }
  picks.forEach(function (p) { p.addEventListener("change", update); });
  if (all) all.addEventListener("change", function () {
    picks.forEach(function (p) { p.checked = all.checked; });
    update();
  });
  update();
})();
