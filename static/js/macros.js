/* The ticket page's macro picker: "m" (or the button) opens it, the search narrows the list,
   arrow keys choose, Enter inserts the macro's text, filled in for this ticket, into the reply
   composer at the cursor for the agent to edit. Nothing is sent until the agent presses Send
   reply: the form then goes to the macro reply address, which also applies the macro's
   actions. "Remove macro" sends a plain reply again. The "m" shortcut follows the agent's
   shortcuts switch (off: only the button opens the picker). */
(function () {
  "use strict";

  var picker = document.getElementById("macro-picker");
  var reply = document.getElementById("id_reply_body");
  if (!picker || !reply) return;
  var form = reply.form;
  /* A reply refused while made from a macro comes back with the macro chosen (and the form
     sending to the macro reply address); "Remove macro" goes back to the plain reply. */
  var plainAction = form.dataset.plainAction || form.getAttribute("action");
  var openButton = document.getElementById("macro-open");
  var dialog = document.getElementById("macro-dialog");
  var search = document.getElementById("macro-search");
  var list = document.getElementById("macro-list");
  var preview = document.getElementById("macro-preview");
  var macroInput = document.getElementById("macro-id");
  var chosen = document.getElementById("macro-chosen");
  var chosenText = document.getElementById("macro-chosen-text");
  var drop = document.getElementById("macro-drop");
  var entries = [];
  var active = -1;
  var searchTimer = null;
  var requestSeq = 0;
  var rendering = null; /* the rendered macro shown in the preview */
  var caret = null; /* where the reply's cursor was when the picker opened */

  openButton.hidden = false;

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
  }

  function optionId(index) { return "macro-option-" + index; }

  function showList() {
    list.textContent = "";
    entries.forEach(function (entry, index) {
      var item = document.createElement("li");
      item.id = optionId(index);
      item.setAttribute("role", "option");
      item.dataset.index = String(index);
      item.setAttribute("aria-selected", index === active ? "true" : "false");
      var name = document.createElement("strong");
      name.textContent = entry.name;
      var scope = document.createElement("span");
      scope.className = "macro-scope";
      scope.textContent = entry.scope;
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(scope);
      if (entry.actions.length) {
        var actions = document.createElement("span");
        actions.className = "macro-actions muted";
        actions.textContent = "Also: " + entry.actions.join(", ");
        item.appendChild(actions);
      }
      item.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
      item.addEventListener("click", function () { choose(index, true); });
      list.appendChild(item);
    });
    if (!entries.length) {
      var none = document.createElement("li");
      none.className = "muted macro-none";
      none.textContent = search.value ? "No macro matches “" + search.value + "”." : "No macros for this ticket yet.";
      list.appendChild(none);
    }
    if (active >= 0) search.setAttribute("aria-activedescendant", optionId(active));
    else search.removeAttribute("aria-activedescendant");
  }

  function load() {
    var seq = ++requestSeq;
    var url = picker.dataset.listUrl + "?q=" + encodeURIComponent(search.value);
    getJson(url).then(function (data) {
      if (seq !== requestSeq) return; /* a newer search answered first */
      entries = data.macros;
      active = entries.length ? 0 : -1;
      showList();
      showPreview();
    }).catch(function () {
      preview.textContent = "Macros could not be loaded; try again.";
    });
  }

  function showPreview() {
    rendering = null;
    preview.textContent = "";
    if (active < 0) return;
    var entry = entries[active];
    getJson(entry.render_url).then(function (data) {
      if (entries[active] !== entry) return;
      rendering = data;
      var body = document.createElement("div");
      body.className = "macro-preview-text";
      body.innerHTML = data.preview_html; /* escaped by the server, placeholders marked */
      preview.textContent = "";
      preview.appendChild(body);
      if (data.missing.length) {
        var gap = document.createElement("p");
        gap.className = "macro-gaps";
        gap.textContent = "Fill in before sending: " + data.missing.join(", ") + ".";
        preview.appendChild(gap);
      }
    }).catch(function () { preview.textContent = "This macro could not be shown."; });
  }

  function choose(index, insertNow) {
    active = index;
    showList();
    if (insertNow) {
      var entry = entries[index];
      getJson(entry.render_url).then(insert).catch(function () {
        preview.textContent = "This macro could not be inserted.";
      });
    } else {
      showPreview();
    }
  }

  function insert(data) {
    var start = caret ? caret[0] : reply.value.length;
    var end = caret ? caret[1] : reply.value.length;
    reply.value = reply.value.slice(0, start) + data.text + reply.value.slice(end);
    macroInput.value = String(data.id);
    macroInput.disabled = false;
    form.setAttribute("action", picker.dataset.replyUrl);
    chosenText.textContent = "From macro “" + data.name + "”" +
      (data.actions.length ? "; sending will also " + data.actions.join(", ") + "." : ".");
    chosen.hidden = false;
    close(false);
    reply.focus();
    /* Select the first gap ("[refund amount]") so typing fills it in; else the cursor goes
       after the inserted text. */
    var gapAt = -1;
    data.missing.some(function (label) {
      gapAt = reply.value.indexOf("[" + label + "]", start);
      return gapAt >= 0;
    });
    if (gapAt >= 0) {
      var label = reply.value.slice(gapAt, reply.value.indexOf("]", gapAt) + 1);
      reply.setSelectionRange(gapAt, gapAt + label.length);
    } else {
      reply.setSelectionRange(start + data.text.length, start + data.text.length);
    }
    reply.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function open() {
    caret = [reply.selectionStart, reply.selectionEnd];
    dialog.hidden = false;
    openButton.setAttribute("aria-expanded", "true");
    search.value = "";
    load();
    search.focus();
  }

  function close(backToButton) {
    dialog.hidden = true;
    openButton.setAttribute("aria-expanded", "false");
    if (backToButton) openButton.focus();
  }

  drop.addEventListener("click", function () {
    macroInput.value = "";
    macroInput.disabled = true;
    form.setAttribute("action", plainAction);
    chosen.hidden = true;
    reply.focus();
  });

  openButton.addEventListener("click", function () {
    if (dialog.hidden) open(); else close(true);
  });

  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(load, 150);
  });

  search.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!entries.length) return;
      var step = ev.key === "ArrowDown" ? 1 : -1;
      choose((active + step + entries.length) % entries.length, false);
    } else if (ev.key === "Enter") {
      ev.preventDefault(); /* never submits the reply form */
      if (active >= 0) {
        if (rendering && rendering.id === entries[active].id) insert(rendering);
        else choose(active, true);
      }
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      close(true);
    }
  });

  /* "m" opens the picker, unless the agent turned single-key shortcuts off or is typing. */
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "m" || ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    if (document.documentElement.dataset.shortcuts === "off") return;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) return;
    ev.preventDefault();
    reply.scrollIntoView({ block: "center" });
    open();
  });
})();
