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
  LiveSocket.prototype.send = function (event) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(event));
  };
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

  /* --- the one way a time is shown, as {% when %} renders it on the server: relative ("5 min
     ago") with the exact time in the agent's zone on hover ("Sun 06 Dec 2026, 16:05 CET").
     Times that arrive live are built with it, and relative texts are kept current. --- */
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var exactFormat = (function () {
    var options = { weekday: "short", day: "2-digit", month: "numeric", year: "numeric", hour: "2-digit",
      minute: "2-digit", hourCycle: "h23", timeZoneName: "short" };
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: document.documentElement.dataset.timezone || "UTC" }, options));
    } catch (e) {
      return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: "UTC" }, options));
    }
  })();
  function exactTime(date) {
    var p = {};
    exactFormat.formatToParts(date).forEach(function (part) { p[part.type] = part.value; });
    return p.weekday + " " + p.day + " " + MONTHS[parseInt(p.month, 10) - 1] + " " + p.year + ", " +
      p.hour + ":" + p.minute + " " + p.timeZoneName;
  }
  function relativeTime(date, now) {
    var seconds = Math.trunc((now - date.getTime()) / 1000);
    var future = seconds < 0;
    seconds = Math.abs(seconds);
    if (seconds < 60) return "just now";
    var amount = seconds < 3600 ? Math.floor(seconds / 60) + " min" :
      seconds < 86400 ? Math.floor(seconds / 3600) + " h" : Math.floor(seconds / 86400) + " d";
    return future ? "in " + amount : amount + " ago";
  }
  function formatWhen(node) {
    var date = new Date(node.getAttribute("datetime"));
    if (isNaN(date.getTime())) return;
    node.title = exactTime(date);
    node.textContent = relativeTime(date, Date.now());
  }
  function whenNode(iso) {
    var node = document.createElement("time");
    node.className = "when";
    node.setAttribute("datetime", iso || "");
    if (iso) formatWhen(node);
    return node;
  }
  function refreshTimes() { document.querySelectorAll("time.when[datetime]").forEach(formatWhen); }
  /* The exact time as the text, as {% exact %} renders it: beside a relative time shown already. */
  function exactNode(iso) {
    var node = document.createElement("time");
    node.className = "exact";
    node.setAttribute("datetime", iso || "");
    var date = new Date(iso);
    if (!isNaN(date.getTime())) node.textContent = exactTime(date);
    return node;
  }
  live.formatWhen = formatWhen;
  live.whenNode = whenNode;
  refreshTimes();
  setInterval(refreshTimes, 30000);

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

  /* The unread count in the header: set from the server when the socket (re)connects, then
     counted up by each stored kind of event that arrives. */
  var STORED = { "escalation.assigned": " escalated to you", "escalation.handed_off": " was handed off",
    "escalation.acknowledged": ": your escalation was acknowledged",
    "ticket.reassigned": " was reassigned away from you",
    "escalation.question": ": a question about your escalation" };
  var unread = document.getElementById("unread-count");
  function showUnread(n) {
    if (!unread) return;
    unread.dataset.count = String(n);
    unread.firstChild.textContent = String(n);
    unread.hidden = !n;
  }
  function refreshUnread() {
    if (!unread) return;
    fetch("/notifications/unread/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) showUnread(data.unread); })
      .catch(function () {});
  }
  function onNotification(event) {
    if (!STORED.hasOwnProperty(event.type)) return;
    toast(event.message || ("#" + event.ticket + STORED[event.type]),
      event.ticket ? "/tickets/" + event.ticket + "/" : null);
    if (unread) showUnread(parseInt(unread.dataset.count || "0", 10) + 1);
  }
  if (region && document.querySelector(".mainnav")) {
    live.notifications = new LiveSocket("/ws/notifications/", { onopen: refreshUnread, onevent: onNotification });
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

  /* --- small DOM helpers: user text only ever goes in through textContent --- */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function withLineBreaks(node, text) {
    String(text || "").split("\n").forEach(function (line, i) {
      if (i) node.appendChild(document.createElement("br"));
      node.appendChild(document.createTextNode(line));
    });
    return node;
  }
  function nameOf(person, fallback) { return person && person.name ? person.name : fallback; }
  var SLA_LABELS = { green: "On track", amber: "At risk", red: "Breached", paused: "Paused", met: "Met" };
  function slaBadge(sla) {
    var state = sla && sla.state ? sla.state : "none";
    var badge = el("span", "sla sla-" + state);
    badge.dataset.slaState = state;
    var due = sla && (sla.due_at || sla.first_response_due_at);
    if (TICKING[state] && due) badge.dataset.due = due;
    var metric = sla && sla.metric ? " (" + String(sla.metric).replace(/_/g, " ") + ")" : "";
    badge.title = "SLA" + metric + ": " + (SLA_LABELS[state] || "No SLA");
    badge.appendChild(el("span", "sla-label", SLA_LABELS[state] || (state === "none" ? "No SLA" : state)));
    return badge;
  }
  live.slaBadge = slaBadge;
  /* The pinned summary's SLA line: the same clock as the header badge, named, with its exact due
     time (the badge beside it shows the time left). */
  function fillSlaLine(line, sla) {
    line.textContent = "";
    if (!sla || !sla.state) { line.textContent = "SLA: no clock is running."; return; }
    line.appendChild(document.createTextNode("SLA: "));
    var metric = String(sla.metric || "").replace(/_/g, " ");
    line.appendChild(el("span", "sla-metric", metric.charAt(0).toUpperCase() + metric.slice(1)));
    if (TICKING[sla.state] && sla.due_at) {
      line.appendChild(document.createTextNode(", due "));
      var due = el("span", "sla-due");
      due.appendChild(exactNode(sla.due_at));
      line.appendChild(due);
    }
    line.appendChild(document.createTextNode(" "));
    line.appendChild(slaBadge(sla));
  }

  /* --- the ticket page --- */
  var page = document.getElementById("ticket-page");
  if (page) {
    var ticketId = page.dataset.ticketId;
    var myId = page.dataset.agentId;
    var pinned = document.getElementById("pinned");
    var lastSeen = parseInt(page.dataset.lastEscalation || "0", 10);
    var version = parseInt(page.dataset.version || "0", 10);
    var forThisTicket = function (event) { return String(event.ticket) === String(ticketId); };

    var showSummary = function (event) {
      if (!forThisTicket(event)) return;
      var id = String(event.escalation);
      var existing = pinned.querySelector('[data-escalation-id="' + id + '"]');
      if (existing && !event.pinned_html) return;
      var holder = document.createElement("div");
      if (event.pinned_html) {
        holder.innerHTML = event.pinned_html;  // server-rendered and escaped
      } else {
        var article = document.createElement("article");
        article.className = "pinned-summary unacknowledged";
        article.dataset.escalationId = id;
        article.innerHTML = event.html;  // server-rendered and escaped
        holder.appendChild(article);
      }
      var node = holder.firstElementChild;
      if (existing) existing.replaceWith(node);
      else pinned.insertBefore(node, pinned.firstChild);
      lastSeen = Math.max(lastSeen, event.escalation);
      page.dataset.lastEscalation = String(lastSeen);
    };

    /* The timeline: messages and notes arrive as JSON and are appended once, by id. */
    var timeline = document.getElementById("timeline-list");
    var NOTE_KINDS = { escalation_summary: "Escalation summary", system: "System note", question: "Question" };
    var appendEntry = function (id, entry) {
      if (!timeline || document.getElementById(id)) return;
      entry.id = id;
      entry.classList.add("arrived");
      var empty = timeline.querySelector(".timeline-empty");
      if (empty) empty.remove();
      timeline.appendChild(entry);
    };
    var newestId = function (prefix) {
      var newest = 0;
      if (timeline) timeline.querySelectorAll('[id^="' + prefix + '"]').forEach(function (node) {
        newest = Math.max(newest, parseInt(node.id.slice(prefix.length), 10) || 0);
      });
      return newest;
    };
    var showMessage = function (m) {
      if (!m || m.id === undefined) return;
      var li = el("li", "entry message message-" + (m.author_type === "agent" ? "agent" : "customer"));
      var head = el("div", "entry-head");
      var who = m.author_type === "agent" ? nameOf(m.author, "Agent") : page.dataset.customerName;
      head.appendChild(el("span", "entry-kind", who));
      head.appendChild(document.createTextNode(" · "));
      head.appendChild(whenNode(m.created_at));
      var mood = m.sentiment && (m.sentiment.label || m.sentiment.sentiment);
      if (mood === "negative") {
        head.appendChild(document.createTextNode(" "));
        var flag = el("span", "sentiment-negative", "negative");
        if (m.sentiment.reasons) flag.title = [].concat(m.sentiment.reasons).join(", ");
        head.appendChild(flag);
      }
      li.appendChild(head);
      li.appendChild(withLineBreaks(el("div", "entry-body"), m.body));
      appendEntry("message-" + m.id, li);
      if (m.author_type === "customer" && m.sentiment && m.sentiment.label) showLastSentiment(m);
    };
    /* The customer panel's "last sentiment": the customer's newest message, scored. */
    var showLastSentiment = function (m) {
      var box = document.getElementById("customer-last-sentiment");
      if (!box) return;
      var label = String(m.sentiment.label).replace(/[^a-z_]/g, "");
      box.textContent = "";
      box.appendChild(el("span", "sentiment sentiment-" + label, m.sentiment.display || label));
      box.appendChild(document.createTextNode(" "));
      box.appendChild(whenNode(m.created_at));
      box.classList.add("arrived");
    };
    /* A reply's mail delivery state (queued, sent, failed): the server-rendered badge in its head. */
    var showDelivery = function (e) {
      var entry = document.getElementById("message-" + e.message);
      if (!entry || !e.html) return;
      var holder = document.createElement("template");
      holder.innerHTML = e.html;  // server-rendered and escaped
      var badge = holder.content.firstElementChild;
      var old = entry.querySelector(".mail-delivery");
      var head = entry.querySelector(".entry-head");
      if (!badge) return;
      if (old) old.replaceWith(badge);
      else if (head) { head.appendChild(document.createTextNode(" ")); head.appendChild(badge); }
    };
    var showNote = function (n) {
      if (!n || n.id === undefined) return;
      var li = el("li", "entry note note-" + String(n.kind || "note").replace(/[^a-z_]/g, ""));
      var head = el("div", "entry-head");
      head.appendChild(el("span", "entry-kind", NOTE_KINDS[n.kind] || "Note"));
      head.appendChild(document.createTextNode(" · " + nameOf(n.author, "KimonDesk")));
      if (n.addressed_to) head.appendChild(el("span", "addressed-to", " to " + nameOf(n.addressed_to, "")));
      head.appendChild(document.createTextNode(" · "));
      head.appendChild(whenNode(n.created_at));
      li.appendChild(head);
      li.appendChild(withLineBreaks(el("div", "entry-body"), n.body));
      appendEntry("note-" + n.id, li);
    };

    var refundList = document.getElementById("refund-list");
    var showRefund = function (r) {
      if (!refundList || !r || document.getElementById("refund-" + r.id)) return;
      var li = el("li");
      li.id = "refund-" + r.id;
      li.className = "arrived";
      li.appendChild(el("strong", null, r.amount + " " + r.currency));
      if (r.reason) li.appendChild(document.createTextNode(": " + r.reason));
      li.appendChild(document.createTextNode(" "));
      var muted = el("span", "muted");
      muted.appendChild(whenNode(r.created_at));
      li.appendChild(muted);
      refundList.appendChild(li);
    };

    var showAcknowledged = function (event) {
      var article = pinned.querySelector('[data-escalation-id="' + String(event.escalation) + '"]');
      if (!article) return;
      article.classList.remove("unacknowledged");
      var actions = article.querySelector(".pinned-actions");
      if (!actions || actions.querySelector(".acked")) return;
      actions.textContent = "";
      var behalf = event.on_behalf_of ? " on behalf of " + nameOf(event.on_behalf_of, "the receiver") : "";
      var line = el("p", "acked", "Acknowledged by " + nameOf(event.by, "someone") + behalf + " ");
      line.appendChild(whenNode(event.at));
      actions.appendChild(line);
    };

    /* Forms the agent may be editing: a live change never overwrites what they chose; it is
       applied when the form is untouched and named beside it ("changed by X") otherwise. */
    var controls = document.getElementById("controls-form");
    var tagsForm = document.getElementById("tags-form");
    var CONTROL_FIELDS = ["status", "priority", "assignee"];
    var FIELD_LABELS = { status: "status", priority: "priority", assignee: "assignee", queue: "queue", tags: "tags" };
    var baseline = {};
    var readControls = function () {
      var values = {};
      if (controls) CONTROL_FIELDS.forEach(function (name) {
        if (controls.elements[name]) values[name] = controls.elements[name].value;
      });
      if (tagsForm && tagsForm.elements.tags) values.tags = tagsForm.elements.tags.value;
      return values;
    };
    baseline = readControls();
    var edited = function (form, names) {
      if (!form) return false;
      return names.some(function (name) {
        return form.elements[name] && form.elements[name].value !== baseline[name];
      });
    };
    var shown = function (name, value) {
      if (value === null || value === undefined || value === "") return name === "assignee" ? "Unassigned" : "none";
      if (typeof value === "object" && !Array.isArray(value)) return value.name || String(value.id);
      if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
      var field = controls && controls.elements[name];
      if (field && field.options) {
        for (var i = 0; i < field.options.length; i++) {
          if (field.options[i].value === String(value)) return field.options[i].textContent;
        }
      }
      return String(value);
    };
    var noteChange = function (noticeId, event, names) {
      var notice = document.getElementById(noticeId);
      if (!notice) return;
      var parts = names.filter(function (n) { return event.changes && event.changes[n]; }).map(function (n) {
        var c = event.changes[n];
        return FIELD_LABELS[n] + " " + shown(n, c.from) + " → " + shown(n, c.to);
      });
      if (!parts.length) return;
      notice.textContent = "Changed by " + nameOf(event.actor, "KimonDesk") + ": " + parts.join("; ") +
        ". Your unsaved edits are kept.";
      notice.hidden = false;
    };
    // A page that came back with a stale-save conflict holds the agent's edits to re-apply:
    // live changes are named beside the form, never written over those edits.
    var keptEdits = !!document.getElementById("controls-conflict");
    var syncControls = function (state, event) {
      if (!state) return;
      var tf = state;
      if (controls && !keptEdits && !edited(controls, CONTROL_FIELDS)) {
        CONTROL_FIELDS.forEach(function (name) {
          if (!(name in tf) || !controls.elements[name]) return;
          var v = tf[name];
          v = v === null ? "" : (typeof v === "object" ? String(v.id) : String(v));
          controls.elements[name].value = v;
          baseline[name] = controls.elements[name].value;
          // The form now shows the ticket as it is: a save compares against these values.
          if (controls.elements["seen_" + name]) controls.elements["seen_" + name].value = v;
        });
        // The catch-up state names the hidden fields (version, seen_*) itself.
        Object.keys(tf).forEach(function (name) {
          var field = controls.elements[name];
          if (field && field.type === "hidden" && name !== "csrfmiddlewaretoken") {
            field.value = tf[name] === null ? "" : String(tf[name]);
          }
        });
        if (event && event.version && controls.elements.version) controls.elements.version.value = String(event.version);
      } else if (event) {
        noteChange("controls-changed", event, ["status", "priority", "assignee", "queue"]);
      }
      if (Array.isArray(tf.tags) && tagsForm && tagsForm.elements.tags) {
        if (!edited(tagsForm, ["tags"])) {
          tagsForm.elements.tags.value = tf.tags.join(", ");
          baseline.tags = tagsForm.elements.tags.value;
        } else if (event) {
          noteChange("tags-changed", event, ["tags"]);
        }
      }
    };

    var setSla = function (sla) {
      document.querySelectorAll("#ticket-sla .sla, #sla-clock .sla").forEach(function (old) {
        old.replaceWith(slaBadge(sla));
      });
      pinned.querySelectorAll(".summary-sla").forEach(function (line) { fillSlaLine(line, sla); });
      tick();
    };
    var showTicketFields = function (tf) {
      var meta = document.getElementById("ticket-meta");
      if (!meta) return;
      var status = meta.querySelector(".status");
      if (status) { status.className = "status status-" + tf.status; status.textContent = tf.status_display; }
      var prio = meta.querySelector(".prio");
      if (prio) { prio.className = "prio prio-" + tf.priority; prio.textContent = tf.priority_display; }
      var who = meta.querySelector(".assignee");
      if (who) who.textContent = nameOf(tf.assignee, "Unassigned");
      var queue = meta.querySelector(".queue");
      if (queue) queue.textContent = nameOf(tf.queue, "No queue");
      var tags = document.getElementById("ticket-tags");
      if (tags && Array.isArray(tf.tags)) {
        tags.textContent = "";
        tf.tags.forEach(function (name) { tags.appendChild(el("span", "tag", name)); });
      }
    };
    var showUpdate = function (event) {
      if (event.version) {
        // An older snapshot than the one shown is stale; the same version may repeat (an SLA
        // crossing does not change the ticket's version) and applying a snapshot twice is harmless.
        if (event.version < version) return;
        version = event.version;
        page.dataset.version = String(version);
      }
      if (event.ticket_fields) {
        showTicketFields(event.ticket_fields);
        var state = {};
        Object.keys(event.ticket_fields).forEach(function (k) { state[k] = event.ticket_fields[k]; });
        syncControls(state, event);
      }
      if ("sla" in event) setSla(event.sla);
      if (!event.ticket_fields && !("sla" in event)) catchUp(lastSeen);
    };

    var catchingUp = false;
    var queuedSince = null;
    var catchUp = function (since) {
      if (catchingUp) {
        queuedSince = queuedSince === null ? since : Math.min(queuedSince, since);
        return;
      }
      catchingUp = true;
      var url = page.dataset.liveUrl + "?since=" + since + "&messages_after=" + newestId("message-") +
        "&notes_after=" + newestId("note-");
      fetch(url, { credentials: "same-origin",
        headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          data.events.forEach(showSummary);
          (data.entries || []).forEach(function (entry) {
            if (document.getElementById(entry.id)) return;  // arrived live meanwhile
            var holder = document.createElement("template");
            holder.innerHTML = entry.html.trim();  // server-rendered and escaped
            appendEntry(entry.id, holder.content.firstElementChild);
          });
          if (data.entries_left && queuedSince === null) queuedSince = lastSeen;
          document.querySelectorAll("#ticket-sla").forEach(function (el) { el.innerHTML = data.sla_html; });
          var clock = document.querySelector("#sla-clock .sla");
          if (clock) clock.outerHTML = data.sla_html;
          pinned.querySelectorAll(".summary-sla").forEach(function (line) { fillSlaLine(line, data.sla); });
          var mood = document.getElementById("customer-last-sentiment");
          if (mood && data.customer_sentiment_html) mood.innerHTML = data.customer_sentiment_html;
          var history = document.getElementById("escalation-history");
          if (history) history.innerHTML = data.history_html;
          // The card's lines only: the card itself stays in place (focus, scroll, selection).
          var changes = document.getElementById("ticket-history-lines");
          if (changes && data.ticket_history_html) changes.innerHTML = data.ticket_history_html;
          refreshTimes();
          var meta = document.getElementById("ticket-meta");
          if (meta) meta.outerHTML = data.meta_html;
          syncControls(data.state, null);
          tick();
        })
        .catch(function () {})
        .then(function () {
          catchingUp = false;
          if (queuedSince !== null) {
            var next = queuedSince;
            queuedSince = null;
            catchUp(next);
          } else {
            // The page is in step with the server (scripts and tests can wait for this).
            page.dataset.caughtUp = String(Date.now());
          }
        });
    };
    live.catchUp = catchUp;

    /* The History card lists field changes, agent replies and notes, written as sentences by
       the server: after any of them its lines (only) are read again, once for a burst. */
    var historyTimer = null;
    var historyRead = function () {
      var lines = document.getElementById("ticket-history-lines");
      if (!lines || !page.dataset.historyUrl) return;
      fetch(page.dataset.historyUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) return;
          lines.innerHTML = html;  // server-rendered and escaped
          refreshTimes();
        })
        .catch(function () {});
    };
    var historyStale = function () {
      clearTimeout(historyTimer);
      historyTimer = setTimeout(historyRead, 300);
    };

    /* Presence: who else has the page open, and who is typing a reply. */
    var presence = document.getElementById("presence");
    var typingLine = document.getElementById("typing-line");
    var showPresence = function (event) {
      var others = (event.viewers || []).filter(function (v) { return String(v.id) !== String(myId); });
      if (presence) {
        presence.textContent = "";
        presence.hidden = !others.length;
        if (others.length) {
          presence.appendChild(el("span", "presence-label", "Also viewing: "));
          others.forEach(function (v) {
            var chip = el("span", "viewer" + (v.typing ? " viewer-typing" : ""), v.name);
            chip.dataset.agentId = String(v.id);
            presence.appendChild(chip);
          });
        }
      }
      if (typingLine) {
        var typing = others.filter(function (v) { return v.typing; }).map(function (v) { return v.name; });
        typingLine.hidden = !typing.length;
        typingLine.textContent = typing.length ? typing.join(", ") + (typing.length > 1 ? " are" : " is") +
          " typing a reply…" : "";
      }
    };

    var handlers = {
      "message.created": function (e) {
        showMessage(e.message);
        if (e.message && e.message.author_type === "agent") historyStale();
      },
      "message.delivery": showDelivery,
      "note.created": function (e) {
        showNote(e.note);
        if (e.note && e.note.kind === "note") historyStale();
      },
      "refund.created": function (e) { showRefund(e.refund); },
      "escalation.acknowledged": showAcknowledged,
      "ticket.updated": function (e) {
        showUpdate(e);
        if (e.ticket_fields) historyStale();
      },
      "presence": showPresence,
      "escalation.summary": function (e) {
        var since = lastSeen;
        showSummary(e);
        // The server-rendered version carries this agent's Acknowledge button.
        catchUp(Math.min(since, e.escalation - 1));
      },
    };
    live.ticket = new LiveSocket("/ws/tickets/" + ticketId + "/", {
      onopen: function () { catchUp(lastSeen); },
      onevent: function (event) {
        if (!forThisTicket(event) || !handlers.hasOwnProperty(event.type)) return;
        // A catch-up in flight may have read the server before this push's change: fetch once
        // more after it, so its older snapshot never has the last word.
        if (catchingUp && event.type !== "presence") {
          queuedSince = queuedSince === null ? lastSeen : Math.min(queuedSince, lastSeen);
        }
        handlers[event.type](event);
      },
    });

    /* Tell the others while this agent types a reply: at most one message per 2 s, and
       "stopped" after 4 s without a keystroke or when the reply is sent. */
    var replyBox = document.getElementById("id_reply_body");
    var typingSentAt = 0;
    var typingIdle = null;
    var sendTyping = function (typing) { live.ticket.send({ type: "presence.typing", typing: typing }); };
    if (replyBox) {
      replyBox.addEventListener("input", function () {
        var now = Date.now();
        if (now - typingSentAt > 2000) { typingSentAt = now; sendTyping(true); }
        clearTimeout(typingIdle);
        typingIdle = setTimeout(function () { typingSentAt = 0; sendTyping(false); }, 4000);
      });
      var replyForm = document.getElementById("reply-form");
      if (replyForm) replyForm.addEventListener("submit", function () {
        clearTimeout(typingIdle);
        if (typingSentAt) sendTyping(false);
      });
    }
  }

  /* --- queue pages: rows never move under the reader; a button offers the changes --- */
  var queuePage = document.getElementById("queue-page");
  if (queuePage) {
    var onTeamPage = queuePage.dataset.queue === "team";
    var MOVES_IN = { assigned: true, queue_changed: true, escalated: true, "escalation.summary": true, ticket_created: true };
    var changed = {};
    var banner = document.getElementById("queue-updates");
    var bannerText = document.getElementById("queue-updates-text");
    var refresh = document.getElementById("queue-refresh");
    if (refresh) refresh.addEventListener("click", function () { location.reload(); });
    var onQueueEvent = function (event) {
      if (event.type !== "queue.ticket_changed") return;
      var row = document.querySelector('tr[data-ticket-id="' + String(event.ticket) + '"]');
      // "My tickets" and "Escalated to me" count changes to their own rows, and changes that
      // may bring a ticket in; the team page counts every change of the team's tickets.
      if (!row && !onTeamPage && !MOVES_IN[event.event]) return;
      if (row) row.classList.add("row-changed");
      changed[String(event.ticket)] = true;
      var n = Object.keys(changed).length;
      bannerText.textContent = n + (n === 1 ? " ticket changed" : " tickets changed") + " since you opened this page.";
      banner.hidden = false;
    };
    live.queue = new LiveSocket("/ws/queues/", { onevent: onQueueEvent });
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
