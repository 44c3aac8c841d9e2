// The flame graph's in-page script and style (plain JS, no build step), shared
// by the self-contained HTML file and the web UI. The script reads the JSON of
// data.ts from <script id="flame-data">, draws the call paths root first on a
// canvas (only those at least a pixel wide, so a huge profile draws quickly),
// zooms into a frame on click, and highlights frames matching the search box.
// Hovering a frame shows its name and value in the details line (and as the
// canvas's tooltip). In the web UI, window.tsprofRefine(action, regexp) is
// defined and a clicked frame gets focus/ignore/hide/peek/source links, and
// "Callers & callees" (the Stacks view pivoted on the frame).
// window.tsprofFlame.frames() lists what is drawn (name, text, box), for tests
// and tools.

export const FLAME_CSS = `
#flame-bar { font: 13px sans-serif; margin: 4px 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
#flame-bar input { font: 13px monospace; width: 22em; }
#flame-details { font: 13px monospace; min-height: 1.4em; margin: 4px 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#flame { position: relative; width: 100%; overflow: hidden; }
#flame canvas { display: block; cursor: pointer; }
#flame-actions a { margin-right: 8px; }
`;

export const FLAME_JS = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("flame-data").textContent);
  var ROW = 18, FONT = "12px monospace";
  // Nodes of data d as objects; with "into", d is the subtree of that node (asked for on zoom): it gets its callees.
  function build(d, into) {
    var weights = d.diff ? d.weight : d.value;
    var stack = [];
    var made = [];
    for (var k = 0; k < d.name.length; k++) {
      var n;
      if (k === 0 && into) {
        n = into;
        n.kids = [];
        n.more = false;
      } else {
        n = { name: d.names[d.name[k]], fid: d.id[k], depth: (into ? into.depth : 0) + d.depth[k], value: d.value[k], weight: weights[k],
          self: d.self[k], inline: d.inline[k] === 1, more: d.more[k] === 1, valueLabel: d.valueLabel[k], selfLabel: d.selfLabel[k],
          baseLabel: d.diff ? d.baseLabel[k] : "", kids: [], parent: null };
      }
      while (stack.length > d.depth[k]) stack.pop();
      if (stack.length > 0 && n !== into) { n.parent = stack[stack.length - 1]; n.parent.kids.push(n); }
      stack.push(n);
      made.push(n);
    }
    return made;
  }
  var all = build(data);
  var root = all[0];
  var focus = root;
  var search = null;
  var box = document.getElementById("flame");
  var details = document.getElementById("flame-details");
  var actions = document.getElementById("flame-actions");
  var searchBox = document.getElementById("flame-search");
  var searchInfo = document.getElementById("flame-match");
  var canvas = document.createElement("canvas");
  box.appendChild(canvas);
  var ctx = canvas.getContext("2d");
  // What the last draw put where: per frame its node, box and text; per row the frames in it, left to right.
  var drawn = [];
  var rows = [];

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
  function describe(n) {
    var s = n.name + " \\u2014 " + n.valueLabel + " (" + pct(Math.abs(n.value)) + ")";
    if (n.self !== 0) s += ", self " + n.selfLabel;
    if (data.diff && n.baseLabel) s += ", base " + n.baseLabel;
    return s;
  }
  function draw() {
    var W = box.clientWidth || 1000;
    drawn = [];
    rows = [];
    // The focused frame's callers, full width above it.
    var anc = [];
    for (var a = focus; a; a = a.parent) anc.push(a);
    anc.reverse();
    for (var j = 0; j < anc.length - 1; j++) place(anc[j], 0, W, j, true);
    var depth0 = anc.length - 1;
    var scale = focus.weight > 0 ? W / focus.weight : 0;
    var todo = [focus, 0];
    while (todo.length > 0) {
      var x = todo.pop(), n = todo.pop();
      var w = n.weight * scale;
      if (w < 1) continue;
      place(n, x, w, depth0 + n.depth - focus.depth, false);
      // Children left to right from x; pushed last first, so the first is drawn (and listed) first.
      var at = [], cx = x;
      for (var c = 0; c < n.kids.length; c++) { at.push(cx); cx += n.kids[c].weight * scale; }
      for (c = n.kids.length - 1; c >= 0; c--) todo.push(n.kids[c], at[c]);
    }
    var dpr = window.devicePixelRatio || 1;
    var H = rows.length * ROW + 2;
    canvas.style.width = W + "px";
    canvas.style.height = H + "px";
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = FONT;
    ctx.textBaseline = "middle";
    var cw = ctx.measureText("m").width || 7;
    for (var i = 0; i < drawn.length; i++) {
      var f = drawn[i];
      ctx.globalAlpha = f.ancestor ? 0.6 : 1;
      ctx.fillStyle = search && f.node !== root && search.test(f.node.name) ? "#c26ddb" : color(f.node);
      ctx.fillRect(f.x, f.y, Math.max(f.w - 1, 0.5), ROW - 1);
      if (f.node.inline && f.w > 3) {
        ctx.strokeStyle = "rgba(0,0,0,0.5)";
        ctx.setLineDash([2, 2]);
        ctx.strokeRect(f.x + 0.5, f.y + 0.5, f.w - 2, ROW - 2);
        ctx.setLineDash([]);
      }
      var chars = Math.floor((f.w - 6) / cw);
      if (chars >= 3) {
        f.text = f.node.name.length <= chars ? f.node.name : f.node.name.slice(0, chars - 1) + "\\u2026";
        ctx.globalAlpha = 1;
        ctx.fillStyle = "#000";
        ctx.fillText(f.text, f.x + 3, f.y + ROW / 2);
      }
    }
    ctx.globalAlpha = 1;
    box.setAttribute("data-drawn", String(drawn.length));
  }
  function place(n, x, w, row, ancestor) {
    var f = { node: n, x: x, y: row * ROW, w: w, text: "", ancestor: ancestor };
    drawn.push(f);
    while (rows.length <= row) rows.push([]);
    rows[row].push(f);
  }
  function frameAt(ev) {
    var r = canvas.getBoundingClientRect();
    var x = ev.clientX - r.left, row = Math.floor((ev.clientY - r.top) / ROW);
    var fs = rows[row] || [];
    for (var i = 0; i < fs.length; i++) if (x >= fs[i].x && x < fs[i].x + fs[i].w) return fs[i];
    return null;
  }
  function quote(s) {
    return s.replace(/[.*+?^$()|[\\]{}\\\\]/g, "\\\\$&");
  }
  function showActions(n) {
    if (!actions || !window.tsprofRefine || n === root) { if (actions) actions.innerHTML = ""; return; }
    var fn = n.name.split(" ")[0];
    var rx = "^" + quote(fn) + "$";
    actions.innerHTML = "";
    // "Callers & callees" pivots the Stacks view on this very frame (its full name, as the view names frames).
    var exact = "^" + quote(n.name) + "$";
    ["focus", "ignore", "hide", "peek", "source", "stacks"].forEach(function (act) {
      var a = document.createElement("a");
      a.href = "#";
      a.textContent = act === "stacks" ? "Callers & callees" : act[0].toUpperCase() + act.slice(1);
      a.setAttribute("data-action", act);
      a.onclick = function (e) { e.preventDefault(); window.tsprofRefine(act, act === "stacks" ? exact : rx); };
      actions.appendChild(a);
    });
    var label = document.createElement("span");
    label.textContent = fn;
    actions.appendChild(label);
  }
  canvas.addEventListener("mousemove", function (ev) {
    var f = frameAt(ev);
    var text = f ? describe(f.node) : "";
    if (f) details.textContent = text;
    if (canvas.title !== text) canvas.title = text;
  });
  // The callees left out of a frame (too narrow to draw before the zoom), from the web UI's server.
  function loadMore(n) {
    if (!n.more || n.loading || !window.fetch || location.protocol === "file:") return;
    n.loading = true;
    box.setAttribute("data-loading", "1");
    var q = new URLSearchParams(location.search);
    q.set("node", String(n.fid));
    fetch("./flamedata?" + q.toString()).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
      if (d) { build(d, n); draw(); }
    }).catch(function () {}).then(function () {
      n.loading = false;
      box.removeAttribute("data-loading");
    });
  }
  canvas.addEventListener("click", function (ev) {
    var f = frameAt(ev);
    if (!f) return;
    var n = f.node;
    focus = n === focus ? (n.parent || root) : n;
    showActions(n);
    draw();
    loadMore(focus);
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
  var lastWidth = box.clientWidth;
  window.addEventListener("resize", function () { if (box.clientWidth !== lastWidth) { lastWidth = box.clientWidth; draw(); } });
  window.tsprofFlame = {
    /** The frames drawn, in drawing order: name, the text drawn on it, its description, and its box in page coordinates. */
    frames: function () {
      var r = canvas.getBoundingClientRect();
      return drawn.map(function (f) {
        return { name: f.node.name, text: f.text, description: describe(f.node), x: r.left + window.scrollX + f.x, y: r.top + window.scrollY + f.y, width: f.w, height: ROW - 1 };
      });
    },
  };
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
