// The flame graph's in-page script and style (plain JS, no build step), shared
// by the self-contained HTML file and the web UI. The script reads the JSON of
// data.ts from <script id="flame-data">, draws the call paths root first as
// positioned <div>s (only those at least a pixel wide, so a huge profile draws
// quickly), zooms into a frame on click, and highlights frames matching the
// search box. In the web UI, window.tsprofRefine(action, regexp) is defined and
// the details bar offers focus/ignore/hide/peek/source for the hovered frame.

export const FLAME_CSS = `
#flame-bar { font: 13px sans-serif; margin: 4px 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
#flame-bar input { font: 13px monospace; width: 22em; }
#flame-details { font: 13px monospace; min-height: 1.4em; margin: 4px 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#flame { position: relative; width: 100%; overflow: hidden; font: 12px monospace; }
#flame .fr { position: absolute; height: 17px; box-sizing: border-box; border: 1px solid rgba(255,255,255,0.6); overflow: hidden; white-space: nowrap; padding: 0 3px; line-height: 15px; cursor: pointer; color: #000; }
#flame .fr.inl { border-style: dotted; }
#flame .fr.anc { opacity: 0.6; }
#flame .fr.hit { background: #c26ddb !important; }
#flame .fr:hover { border-color: #000; }
#flame-actions a { margin-right: 8px; }
`;

export const FLAME_JS = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("flame-data").textContent);
  var ROW = 18;
  var all = [];
  var stack = [];
  for (var i = 0; i < data.nodes.length; i += 7) {
    var k = i / 7;
    var n = { id: k, name: data.names[data.nodes[i]], depth: data.nodes[i + 1], value: data.nodes[i + 2],
      weight: data.nodes[i + 3], self: data.nodes[i + 4], base: data.nodes[i + 5], inline: data.nodes[i + 6] === 1,
      label: data.labels[3 * k], selfLabel: data.labels[3 * k + 1], baseLabel: data.labels[3 * k + 2], kids: [], parent: null };
    while (stack.length > n.depth) stack.pop();
    if (stack.length > 0) { n.parent = stack[stack.length - 1]; n.parent.kids.push(n); }
    stack.push(n);
    all.push(n);
  }
  var root = all[0];
  var focus = root;
  var search = null;
  var box = document.getElementById("flame");
  var details = document.getElementById("flame-details");
  var actions = document.getElementById("flame-actions");
  var searchBox = document.getElementById("flame-search");
  var searchInfo = document.getElementById("flame-match");

  function hash(s) {
    var h = 0;
    for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
    return Math.abs(h);
  }
  function pkg(name) {
    var m = /^(.*?)[.:/ ]/.exec(name);
    return m ? m[1] : name;
  }
  function color(n) {
    if (data.diff) {
      var r = n.weight > 0 ? n.value / n.weight : 0;
      if (r > 0.02) return "hsl(0," + Math.round(40 + 50 * r) + "%," + Math.round(80 - 25 * r) + "%)";
      if (r < -0.02) return "hsl(120," + Math.round(40 - 40 * r) + "%," + Math.round(80 + 25 * r) + "%)";
      return "#ddd";
    }
    if (n === root) return "#bbb";
    var h = hash(pkg(n.name));
    return "hsl(" + (h % 50) + "," + (60 + (h >> 6) % 30) + "%," + (68 + (h >> 3) % 14) + "%)";
  }
  function pct(v) {
    return root.weight ? (100 * v / root.weight).toFixed(2) + "%" : "0%";
  }
  function esc(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function describe(n) {
    var s = n.name + " \\u2014 " + n.label + " (" + pct(Math.abs(n.value)) + ")";
    if (n.self !== 0) s += ", self " + n.selfLabel;
    if (data.diff && n.baseLabel) s += ", base " + n.baseLabel;
    return s;
  }
  function draw() {
    var W = box.clientWidth || 1000;
    var out = [];
    var depth0 = 0;
    // The focused frame's callers, full width above it.
    var anc = [];
    for (var a = focus; a; a = a.parent) anc.push(a);
    anc.reverse();
    var maxDepth = 0;
    for (var j = 0; j < anc.length - 1; j++) {
      out.push(frame(anc[j], 0, W, j, " anc"));
    }
    depth0 = anc.length - 1;
    var scale = focus.weight > 0 ? W / focus.weight : 0;
    var todo = [[focus, 0]];
    while (todo.length > 0) {
      var t = todo.pop();
      var n = t[0], x = t[1];
      var w = n.weight * scale;
      if (w < 1) continue;
      var row = depth0 + n.depth - focus.depth;
      if (row > maxDepth) maxDepth = row;
      out.push(frame(n, x, w, row, ""));
      var cx = x;
      for (var c = 0; c < n.kids.length; c++) {
        todo.push([n.kids[c], cx]);
        cx += n.kids[c].weight * scale;
      }
    }
    box.style.height = ((Math.max(maxDepth, depth0) + 1) * ROW + 2) + "px";
    box.innerHTML = out.join("");
  }
  function frame(n, x, w, row, cls) {
    var hit = search && n !== root && search.test(n.name) ? " hit" : "";
    var text = w > 28 ? esc(n.name) : "";
    return '<div class="fr' + cls + hit + (n.inline ? " inl" : "") + '" data-id="' + n.id + '" title="' + esc(describe(n)) +
      '" style="left:' + x.toFixed(1) + "px;width:" + w.toFixed(1) + "px;top:" + row * ROW + "px;background:" + color(n) + '">' + text + "</div>";
  }
  function nodeAt(ev) {
    var el = ev.target.closest ? ev.target.closest(".fr") : null;
    return el ? all[Number(el.getAttribute("data-id"))] : null;
  }
  function quote(s) {
    return s.replace(/[.*+?^$()|[\\]{}\\\\]/g, "\\\\$&");
  }
  function showActions(n) {
    if (!actions || !window.tsprofRefine || n === root) { if (actions) actions.innerHTML = ""; return; }
    var fn = n.name.split(" ")[0];
    var rx = "^" + quote(fn) + "$";
    actions.innerHTML = "";
    ["focus", "ignore", "hide", "peek", "source"].forEach(function (act) {
      var a = document.createElement("a");
      a.href = "#";
      a.textContent = act === "source" ? "Source" : act[0].toUpperCase() + act.slice(1);
      a.setAttribute("data-action", act);
      a.onclick = function (e) { e.preventDefault(); window.tsprofRefine(act, rx); };
      actions.appendChild(a);
    });
    var label = document.createElement("span");
    label.textContent = fn;
    actions.appendChild(label);
  }
  box.addEventListener("mousemove", function (ev) {
    var n = nodeAt(ev);
    if (n) details.textContent = describe(n);
  });
  box.addEventListener("click", function (ev) {
    var n = nodeAt(ev);
    if (!n) return;
    focus = n === focus ? (n.parent || root) : n;
    showActions(n);
    draw();
  });
  if (searchBox) {
    searchBox.addEventListener("input", function () {
      var v = searchBox.value;
      search = null;
      if (v !== "") { try { search = new RegExp(v); } catch (e) { search = null; } }
      var matched = 0;
      if (search) {
        // Count each matching path once: stop at the first match down a branch.
        var todo = [root];
        while (todo.length > 0) {
          var n = todo.pop();
          if (n !== root && search.test(n.name)) { matched += n.weight; continue; }
          for (var c = 0; c < n.kids.length; c++) todo.push(n.kids[c]);
        }
      }
      if (searchInfo) searchInfo.textContent = search ? "matched " + pct(matched) : "";
      draw();
    });
  }
  var reset = document.getElementById("flame-reset");
  if (reset) reset.addEventListener("click", function () { focus = root; showActions(root); draw(); });
  window.addEventListener("resize", draw);
  details.textContent = describe(root);
  draw();
})();
`;

/** The flame graph's markup: toolbar, details line, drawing area and its data. */
export function flameBody(dataJSON: string, prunedNote: string): string {
  return `<div id="flame-bar"><button id="flame-reset" type="button">Reset zoom</button>` +
    `<label>Search <input id="flame-search" type="text" placeholder="regexp" autocomplete="off"></label>` +
    `<span id="flame-match"></span><span id="flame-actions"></span></div>` +
    `<div id="flame-details"></div><div id="flame"></div>${prunedNote}` +
    `<script type="application/json" id="flame-data">${dataJSON}</script><script>${FLAME_JS}</script>`;
}
