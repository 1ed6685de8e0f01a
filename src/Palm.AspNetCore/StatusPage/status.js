// Palm's status page: polls status and jobs (relative to the page) every second and draws them.
// Rates come from the difference of each server instance's counters between two polls.
(function () {
  "use strict";
  var previous = null; // { at: ms (the status's own time), byInstance: { instance: counters } }

  function $(id) { return document.getElementById(id); }

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // .NET's TimeSpan as System.Text.Json writes it: [d.]hh:mm:ss[.fffffff]
  function seconds(span) {
    if (span == null) return null;
    var m = /^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.(\d+))?$/.exec(span);
    if (!m) return null;
    var s = (+(m[2] || 0)) * 86400 + (+m[3]) * 3600 + (+m[4]) * 60 + (+m[5]) + (m[6] ? +("0." + m[6]) : 0);
    return m[1] ? -s : s;
  }

  function duration(s) {
    if (s == null) return "\u2013";
    s = Math.floor(s);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + m + "m";
    if (m > 0) return m + "m " + r + "s";
    return r + "s";
  }

  function number(n) {
    if (n == null) return "\u2013";
    if (n >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1) + "M";
    if (n >= 1e4) return (n / 1e3).toFixed(n >= 1e5 ? 0 : 1) + "k";
    return Math.round(n).toLocaleString("en");
  }

  function rate(now, before, key, dt) {
    if (!before || dt <= 0) return null;
    return Math.max(0, (now[key] - before[key]) / dt);
  }

  function drawServers(status) {
    // The status's own timestamp, not the browser's clock: rates stay right however late a poll is answered.
    var at = Date.parse(status.time), byInstance = {}, dt = previous ? (at - previous.at) / 1000 : 0;
    var groups = {};
    status.servers.forEach(function (s) {
      byInstance[s.instance] = { messagesIn: s.messagesIn, messagesOut: s.messagesOut, errors: s.errors, user: seconds(s.userTime) || 0 };
      (groups[s.name] = groups[s.name] || []).push(s);
    });
    var html = Object.keys(groups).sort().map(function (name) {
      var instances = groups[name], first = instances[0];
      var leader = instances.filter(function (s) { return s.role === "leader"; })[0];
      var workers = leader ? leader.workers : instances.filter(function (s) { return s.role === "worker"; }).length;
      var rows = instances.map(function (s) {
        var now = byInstance[s.instance], before = previous && previous.byInstance[s.instance];
        var inRate = rate(now, before, "messagesIn", dt), outRate = rate(now, before, "messagesOut", dt), errRate = rate(now, before, "errors", dt);
        var busy = before && dt > 0 ? Math.max(0, (now.user - before.user) / dt) : null;
        return "<tr data-instance=\"" + esc(s.instance) + "\">" +
          "<td class=\"mono\">" + esc(s.instance) + "</td>" +
          "<td><span class=\"badge state-" + esc(s.state) + "\">" + esc(s.state) + "</span></td>" +
          "<td>" + (inRate == null ? "\u2013" : number(inRate)) + "</td>" +
          "<td>" + (outRate == null ? "\u2013" : number(outRate)) + "</td>" +
          "<td class=\"" + (errRate > 0 ? "errors-nonzero" : "") + "\">" + (errRate == null ? "\u2013" : number(errRate)) + "</td>" +
          "<td>" + (busy == null ? "\u2013" : Math.round(busy * 100) + "%") + "</td>" +
          "<td>" + number(s.inFlight) + "</td>" +
          "<td>" + number(s.messagesIn) + "</td>" +
          "<td>" + duration(seconds(s.upTime)) + "</td></tr>";
      }).join("");
      return "<div class=\"card server\" data-server=\"" + esc(name) + "\">" +
        "<h3>" + esc(name) + " <span class=\"badge unknown\">" + esc(first.template) + "</span>" +
        (leader ? " <span class=\"badge ok\" data-workers=\"" + workers + "\">" + workers + " worker" + (workers === 1 ? "" : "s") + "</span>" : "") + "</h3>" +
        "<div class=\"sub\">" + instances.length + " instance" + (instances.length === 1 ? "" : "s") + " \u00b7 node " + esc(first.node) + "</div>" +
        "<div class=\"chips\">" + first.functions.map(function (f) { return "<span class=\"chip\">" + esc(f) + "</span>"; }).join("") + "</div>" +
        "<table class=\"instances\"><thead><tr><th>instance</th><th>state</th><th>in/s</th><th>out/s</th><th>errors/s</th>" +
        "<th title=\"time in user code per second\">user time</th><th>in flight</th><th>messages</th><th>up</th></tr></thead>" +
        "<tbody>" + rows + "</tbody></table></div>";
    }).join("");
    $("servers").innerHTML = html || "<p class=\"empty\">The cluster has no servers yet.</p>";
    previous = { at: at, byInstance: byInstance };
  }

  function drawNodes(status) {
    $("nodes").innerHTML = status.nodes.map(function (n) {
      return "<tr data-node=\"" + esc(n.address) + "\"><td class=\"mono\">" + esc(n.address) + "</td>" +
        "<td><span class=\"badge state-" + esc(n.state) + "\">" + esc(n.state) + (n.answered ? "" : " (silent)") + "</span></td>" +
        "<td>" + esc(n.roles.join(", ")) + "</td><td>" + duration(seconds(n.upTime)) + "</td></tr>";
    }).join("");
  }

  function healthy(status) {
    return status.servers.every(function (s) { return s.state === "Up"; }) &&
      status.nodes.filter(function (n) { return n.state !== "Removed"; })
        .every(function (n) { return n.answered && (n.state === "Up" || n.state === "WeaklyUp"); });
  }

  function drawStatus(status) {
    var ok = healthy(status);
    $("health").className = "badge " + (ok ? "ok" : "bad");
    $("health").textContent = ok ? "healthy" : "unhealthy";
    $("contact").textContent = status.contact;
    $("node-count").textContent = status.nodes.length;
    $("server-count").textContent = status.servers.length;
    drawServers(status);
    drawNodes(status);
  }

  function drawJobs(jobs) {
    $("job-count").textContent = jobs.length;
    if (jobs.length === 0) {
      $("jobs").innerHTML = "<p class=\"empty\">No job is running through this gateway.</p>";
      return;
    }
    $("jobs").innerHTML = jobs.map(function (j) {
      var known = j.fraction != null, pct = known ? Math.floor(j.fraction * 1000) / 10 : null;
      return "<div class=\"card job\" data-job=\"" + esc(j.id) + "\" data-route=\"" + esc(j.route) + "\">" +
        "<div><div class=\"route\">" + esc(j.route) + "</div><div class=\"kind\">" + esc(j.kind) + " job \u00b7 " + esc(j.remote || "") + " \u00b7 " + duration(j.elapsedSeconds) + "</div></div>" +
        "<div><div class=\"bar" + (known ? "" : " indeterminate") + "\"><span class=\"progress\" data-fraction=\"" + (known ? j.fraction : "") + "\" style=\"width:" + (known ? pct : 30) + "%\"></span></div>" +
        "<div class=\"numbers\"><span><b class=\"completed\">" + number(j.inputsCompleted) + "</b> of <b>" + (j.total == null ? "?" : number(j.total)) + "</b> inputs complete</span>" +
        "<span><b>" + number(j.inputsPerSecond) + "</b>/s</span><span><b>" + number(j.results) + "</b> results</span>" +
        "<span class=\"" + (j.errors > 0 ? "errors-nonzero" : "") + "\"><b>" + number(j.errors) + "</b> errors</span>" +
        (j.spoolFileBytes > 0 ? "<span>spooled <b>" + number(j.spoolFileBytes / 1024) + " KiB</b> on disk</span>" : "") + "</div></div>" +
        "<div class=\"pct\">" + (known ? pct.toFixed(1) + "%" : "\u2013") + "</div></div>";
    }).join("");
  }

  function get(path) {
    return fetch(path, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return r.json();
    });
  }

  function refresh() {
    Promise.all([get("status"), get("jobs")]).then(function (both) {
      drawStatus(both[0]);
      drawJobs(both[1]);
      $("updated").textContent = new Date().toLocaleTimeString();
      $("error").hidden = true;
    }).catch(function (e) {
      $("health").className = "badge unknown";
      $("health").textContent = "no answer";
      $("error").textContent = "The gateway did not answer: " + e.message;
      $("error").hidden = false;
    }).then(function () { setTimeout(refresh, 1000); });
  }

  refresh();
})();
