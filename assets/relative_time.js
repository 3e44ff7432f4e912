// Keeps every element with a data-relative-ts attribute (Unix seconds) showing how long ago
// that was, refreshed each second in the browser: no server round trip per tick.
// data-relative-style="short" gives "5 s ago"; otherwise "5 seconds ago" (as ftapp.timeago).
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

  function tick() {
    var now = Date.now() / 1000;
    var nodes = document.querySelectorAll("[data-relative-ts]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var ts = Number(el.getAttribute("data-relative-ts"));
      if (!ts) continue;
      var text = describe(Math.max(0, Math.floor(now - ts)), el.getAttribute("data-relative-style") === "short");
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
