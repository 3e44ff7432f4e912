// Keeps every element with a data-relative-ts attribute (Unix seconds) showing how long ago
// that was, refreshed each second in the browser: no server round trip per tick.
// data-relative-style="short" gives "5 s ago"; otherwise "5 seconds ago" (as ftapp.timeago).
// "duration" gives the time since as a run time ("12 min", as format_duration in
// ftapp/history/timeline.py); "until" counts down to the timestamp ("usually finishes in
// about 3 min", as finish_phrase there).
(function () {
  var UNITS = [
    ["year", "y", 365 * 86400],
    ["month", "mo", 30 * 86400],
    ["day", "d", 86400],
    ["hour", "h", 3600],
    ["minute", "min", 60],
    ["second", "s", 1],
  ];

  function describe(seconds, short) {
    if (!short && seconds < 10) return "just now";
    for (var i = 0; i < UNITS.length; i++) {
      var count = Math.floor(seconds / UNITS[i][2]);
      if (count >= 1 || i === UNITS.length - 1) {
        if (short) return count + " " + UNITS[i][1] + " ago";
        return count + " " + UNITS[i][0] + (count === 1 ? "" : "s") + " ago";
      }
    }
  }

  var DURATION = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];

  function duration(seconds) {
    for (var i = 0; i < DURATION.length; i++) {
      var size = DURATION[i][1];
      if (seconds >= size || i === DURATION.length - 1) {
        var text = Math.floor(seconds / size) + " " + DURATION[i][0];
        if (i + 1 < DURATION.length) {
          var then = Math.floor((seconds % size) / DURATION[i + 1][1]);
          if (then) text += " " + then + " " + DURATION[i + 1][0];
        }
        return text;
      }
    }
  }

  function until(seconds) {
    if (seconds <= 0) return "running longer than usual";
    if (seconds < 60) return "usually finishes in less than a minute";
    return "usually finishes in about " + duration(Math.round(seconds / 60) * 60);
  }

  function describeFor(style, ts, now) {
    if (style === "duration") return duration(Math.max(0, Math.floor(now - ts)));
    if (style === "until") return until(Math.floor(ts - now));
    return describe(Math.max(0, Math.floor(now - ts)), style === "short");
  }

  function tick() {
    var now = Date.now() / 1000;
    var nodes = document.querySelectorAll("[data-relative-ts]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var ts = Number(el.getAttribute("data-relative-ts"));
      if (!ts) continue;
      var text = describeFor(el.getAttribute("data-relative-style"), ts, now);
      if (el.textContent === text) continue;
      // Update React's own text node in place rather than replacing it.
      var only = el.childNodes.length === 1 ? el.firstChild : null;
      if (only && only.nodeType === 3) only.nodeValue = text;
      else el.textContent = text;
    }
  }

  setInterval(tick, 1000);
  new MutationObserver(function (mutations) {
    for (var i = 0; i < mutations.length; i++) {
      if (mutations[i].type === "attributes" || mutations[i].addedNodes.length) return tick();
    }
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-relative-ts"],
  });
})();
