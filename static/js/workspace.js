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

/* The ticket page's escalate drawer: the escalate link opens the form beside the conversation
   (without JavaScript it is the escalate page). Focus stays in the drawer while it is open, Esc
   closes it and focus returns to what opened it. A refused handoff comes back as the form with
   its errors, focus on the first invalid field (or the error summary); a sent one closes the
   drawer and the pinned summary arrives by the live push. */
(function () {
  "use strict";
  var link = document.getElementById("escalate-link");
  var drawer = document.getElementById("escalate-drawer");
  var page = document.getElementById("ticket-page");
  if (!link || !drawer || !page || !window.fetch || !window.FormData) return;
  var body = document.getElementById("escalate-drawer-body");
  var closeButton = document.getElementById("escalate-drawer-close");
  var status = document.getElementById("escalate-status");
  var opener = null;
  var FOCUSABLE = "a[href], button:not([disabled]), textarea:not([disabled]), select:not([disabled])," +
    " input:not([disabled]):not([type=hidden]), [tabindex]:not([tabindex='-1'])";

  function focusables() {
    return Array.prototype.filter.call(drawer.querySelectorAll(FOCUSABLE), function (node) {
      return node.offsetWidth || node.offsetHeight || node.getClientRects().length;
    });
  }
  function focusForm() {
    var target = body.querySelector("[aria-invalid='true']") || body.querySelector(".error-summary") ||
      body.querySelector("textarea, select, input:not([type=hidden])") || closeButton;
    target.focus();
  }
  function show(html) {
    body.innerHTML = html;  // the server-rendered form, escaped
    body.setAttribute("aria-busy", "false");
    var form = body.querySelector("form");
    if (form) form.addEventListener("submit", submit);
    var cancel = body.querySelector(".escalate-cancel");
    if (cancel) cancel.addEventListener("click", function (ev) { ev.preventDefault(); close(); });
    body.querySelectorAll(".error-summary a[href^='#']").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        var field = document.getElementById(a.getAttribute("href").slice(1));
        if (field) { ev.preventDefault(); field.focus(); }
      });
    });
  }
  function open(ev) {
    ev.preventDefault();
    opener = document.activeElement && document.activeElement !== document.body ? document.activeElement : link;
    drawer.hidden = false;
    document.body.classList.add("drawer-open");
    link.setAttribute("aria-expanded", "true");
    if (body.querySelector("form")) { focusForm(); return; }
    body.setAttribute("aria-busy", "true");
    closeButton.focus();
    fetch(drawer.dataset.formUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) { show(html); focusForm(); })
      .catch(function () { location.href = link.href; });
  }
  function close() {
    if (drawer.hidden) return;
    drawer.hidden = true;
    document.body.classList.remove("drawer-open");
    link.setAttribute("aria-expanded", "false");
    var back = opener && document.contains(opener) ? opener : link;
    opener = null;
    back.focus();
  }
  function submit(ev) {
    ev.preventDefault();
    var form = ev.target;
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(drawer.dataset.formUrl, { method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 201) {
          return r.json().then(function (data) {
            body.textContent = "";  // the next escalation starts from a blank form
            close();
            status.textContent = data.message;
            if (window.KimonDesk && window.KimonDesk.toast) window.KimonDesk.toast(data.message);
            // The live push brings the summary; a catch-up covers a socket that is reconnecting.
            if (window.KimonDesk && window.KimonDesk.catchUp) {
              window.KimonDesk.catchUp(parseInt(page.dataset.lastEscalation || "0", 10));
            }
          });
        }
        if (r.status === 400 || r.status === 409) {
          return r.text().then(function (html) { show(html); focusForm(); });
        }
        throw new Error(String(r.status));
      })
      .catch(function () { form.submit(); });  // the escalate page answers with its own words
  }

  link.setAttribute("aria-controls", "escalate-drawer");
  link.setAttribute("aria-expanded", "false");
  link.addEventListener("click", open);
  closeButton.addEventListener("click", close);
  drawer.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { ev.preventDefault(); close(); return; }
    if (ev.key !== "Tab") return;
    var nodes = focusables();
    if (!nodes.length) return;
    var first = nodes[0], last = nodes[nodes.length - 1];
    if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
    else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
  });
  document.addEventListener("focusin", function (ev) {
    if (!drawer.hidden && !drawer.contains(ev.target)) focusForm();
  });
})();
