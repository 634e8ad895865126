/* KimonDesk agent pages: live push, catch-up on reconnect, SLA ticking, keyboard shortcuts.
   Plain JavaScript; every page works without it. */
(function () {
  "use strict";

  var live = (window.KimonDesk = window.KimonDesk || {});
  var TICKING = { green: true, amber: true, red: true };
  var FINAL_CLOSE = { 4401: true, 4403: true };

  function wsUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  /* A socket that reconnects with capped, jittered exponential backoff. */
  function LiveSocket(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.attempt = 0;
    this.ws = null;
    this.open();
  }
  LiveSocket.prototype.open = function () {
    var self = this;
    var ws = new WebSocket(wsUrl(this.path));
    this.ws = ws;
    ws.onopen = function () {
      self.attempt = 0;
      if (self.handlers.onopen) self.handlers.onopen();
    };
    ws.onmessage = function (msg) {
      var event;
      try { event = JSON.parse(msg.data); } catch (e) { return; }
      self.handlers.onevent(event);
    };
    ws.onclose = function (ev) {
      if (self.ws !== ws) return;
      self.ws = null;
      if (FINAL_CLOSE[ev.code]) return;
      var delay = Math.min(8000, 400 * Math.pow(2, self.attempt)) * (0.75 + Math.random() * 0.5);
      self.attempt += 1;
      setTimeout(function () { self.open(); }, delay);
    };
  };

  /* --- notifications (any page) --- */
  var region = document.getElementById("notifications");
  function toast(text, href) {
    if (!region) return;
    var box = document.createElement("div");
    box.className = "toast";
    var body = document.createElement(href ? "a" : "span");
    if (href) body.href = href;
    body.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss notification");
    close.textContent = "×";
    close.onclick = function () { box.remove(); };
    box.appendChild(body);
    box.appendChild(close);
    region.appendChild(box);
    setTimeout(function () { box.remove(); }, 15000);
  }
  live.toast = toast;

  function onNotification(event) {
    if (event.type === "escalation.assigned" || event.type === "escalation.handed_off") {
      var text = event.message || ("#" + event.ticket + (event.type === "escalation.assigned" ?
        " escalated to you" : " was handed off"));
      toast(text, event.ticket ? "/tickets/" + event.ticket + "/" : null);
    }
  }
  if (region && document.querySelector(".mainnav")) {
    live.notifications = new LiveSocket("/ws/notifications/", { onevent: onNotification });
  }

  /* --- SLA badges tick down client-side --- */
  function shortDuration(seconds) {
    var s = Math.floor(Math.abs(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d) return d + "d " + h + "h";
    if (h) return h + "h " + m + "m";
    if (m) return m + "m";
    return (s % 60) + "s";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".sla[data-due]").forEach(function (badge) {
      if (!TICKING[badge.dataset.slaState]) return;
      var left = (Date.parse(badge.dataset.due) - now) / 1000;
      var out = badge.querySelector(".sla-left");
      if (!out) {
        out = document.createElement("span");
        out.className = "sla-left";
        badge.appendChild(document.createTextNode(" "));
        badge.appendChild(out);
      }
      out.textContent = shortDuration(left) + (left >= 0 ? " left" : " over");
      if (left < 0 && badge.dataset.slaState !== "red") {
        badge.dataset.slaState = "red";
        badge.className = "sla sla-red";
        badge.querySelector(".sla-label").textContent = "Breached";
      }
    });
  }
  tick();
  setInterval(tick, 1000);

  /* --- the ticket page --- */
  var page = document.getElementById("ticket-page");
  if (page) {
    var ticketId = page.dataset.ticketId;
    var pinned = document.getElementById("pinned");
    var lastSeen = parseInt(page.dataset.lastEscalation || "0", 10);

    var showSummary = function (event) {
      if (String(event.ticket) !== String(ticketId)) return;
      var id = String(event.escalation);
      var existing = pinned.querySelector('[data-escalation-id="' + id + '"]');
      if (existing && !event.pinned_html) return;
      var holder = document.createElement("div");
      if (event.pinned_html) {
        holder.innerHTML = event.pinned_html;
      } else {
        var article = document.createElement("article");
        article.className = "pinned-summary unacknowledged";
        article.dataset.escalationId = id;
        article.innerHTML = event.html;
        holder.appendChild(article);
      }
      var node = holder.firstElementChild;
      if (existing) existing.replaceWith(node);
      else pinned.insertBefore(node, pinned.firstChild);
      lastSeen = Math.max(lastSeen, event.escalation);
      page.dataset.lastEscalation = String(lastSeen);
    };

    /* Keep the status/priority/assignee controls true to the ticket unless the agent is
       editing them, so a stale form cannot undo a reassignment. */
    var controls = document.getElementById("controls-form");
    var controlsTouched = false;
    if (controls) controls.addEventListener("change", function () { controlsTouched = true; });
    var syncControls = function (state) {
      if (!controls || controlsTouched || !state) return;
      Object.keys(state).forEach(function (name) {
        var field = controls.elements[name];
        if (field) field.value = state[name] === null ? "" : String(state[name]);
      });
    };

    var catchingUp = false;
    var queuedSince = null;
    var catchUp = function (since) {
      if (catchingUp) {
        queuedSince = queuedSince === null ? since : Math.min(queuedSince, since);
        return;
      }
      catchingUp = true;
      fetch(page.dataset.liveUrl + "?since=" + since, { credentials: "same-origin",
        headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          data.events.forEach(showSummary);
          document.querySelectorAll("#ticket-sla").forEach(function (el) { el.innerHTML = data.sla_html; });
          var clock = document.querySelector("#sla-clock .sla");
          if (clock) clock.outerHTML = data.sla_html;
          var history = document.getElementById("escalation-history");
          if (history) history.innerHTML = data.history_html;
          var meta = document.getElementById("ticket-meta");
          if (meta) meta.outerHTML = data.meta_html;
          syncControls(data.state);
          tick();
        })
        .catch(function () {})
        .then(function () {
          catchingUp = false;
          if (queuedSince !== null) {
            var next = queuedSince;
            queuedSince = null;
            catchUp(next);
          }
        });
    };
    live.catchUp = catchUp;

    live.ticket = new LiveSocket("/ws/tickets/" + ticketId + "/", {
      onopen: function () { catchUp(lastSeen); },
      onevent: function (event) {
        if (event.type === "escalation.summary") {
          var since = lastSeen;
          showSummary(event);
          // The server-rendered version carries this agent's Acknowledge button.
          catchUp(Math.min(since, event.escalation - 1));
        } else if (event.type === "ticket.updated") {
          catchUp(lastSeen);
        }
      },
    });
  }

  /* --- keyboard shortcuts: r reply, n note, e escalate, a acknowledge --- */
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    if (document.documentElement.dataset.shortcuts === "off") return; /* WCAG 2.1.4: turned off */
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) return;
    var target = null;
    if (ev.key === "r") target = document.getElementById("id_reply_body");
    else if (ev.key === "n") target = document.getElementById("id_note_body");
    else if (ev.key === "e") target = document.getElementById("escalate-link");
    else if (ev.key === "a") target = document.querySelector("#pinned .ack-button");
    if (!target) return;
    ev.preventDefault();
    if (target.tagName === "TEXTAREA") { target.focus(); target.scrollIntoView({ block: "center" }); }
    else target.click();
  });
})();
