// The web UI's page script and style (plain JS/CSS, no build step): the
// refine box (focus/ignore/hide/show, their tag forms, reset), selecting rows
// of the top table or nodes of the graph to fill it, the sample index
// chooser, sorting the top table, and zooming the graph.

export const PAGE_CSS = `
body { font: 14px sans-serif; margin: 0; color: #222; }
header { background: #2a4b7c; color: #fff; padding: 6px 12px; display: flex; flex-wrap: wrap; gap: 14px; align-items: center; }
header a { color: #fff; text-decoration: none; padding: 2px 6px; border-radius: 3px; }
header a.current { background: rgba(255,255,255,0.25); }
header .title { font-weight: bold; margin-right: 8px; }
header input#refine { font: 13px monospace; width: 24em; }
header button { font: 13px sans-serif; }
main { padding: 8px 12px; }
.filters { font: 13px monospace; color: #444; margin: 4px 0; }
details.legend pre { margin: 4px 0; }
.error { color: #a00; font-weight: bold; white-space: pre-wrap; }
table.top { border-collapse: collapse; font: 13px monospace; }
table.top th { text-align: right; padding: 2px 8px; border-bottom: 1px solid #999; cursor: pointer; background: #eef; position: sticky; top: 0; }
table.top td { text-align: right; padding: 1px 8px; white-space: nowrap; }
table.top td.name, table.top th.name { text-align: left; }
table.top tr.row:hover { background: #f3f3d0; }
table.top tr.sel, g.node.sel polygon { background: #cfe2ff; fill: #cfe2ff; }
#graph { overflow: auto; border: 1px solid #ccc; height: calc(100vh - 170px); }
#graph g.node { cursor: pointer; }
pre.report { font: 13px monospace; }
td.pos { color: #a00; } td.neg { color: #070; }
.note { color: #666; font-size: 12px; }
`;

export const PAGE_JS = `
(function () {
  "use strict";
  var box = document.getElementById("refine");
  var selected = {};
  function quote(s) { return s.replace(/[.*+?^$()|[\\]{}\\\\]/g, "\\\\$&"); }
  function selectionRegexp() {
    var names = Object.keys(selected);
    if (names.length === 0) return "";
    return "^(" + names.map(quote).join("|") + ")$";
  }
  function go(path, changes) {
    var q = new URLSearchParams(location.search);
    Object.keys(changes).forEach(function (k) {
      if (changes[k] === null || changes[k] === "") q.delete(k); else q.set(k, changes[k]);
    });
    var s = q.toString();
    location.href = path + (s ? "?" + s : "");
  }
  var here = location.pathname;
  var param = { focus: "f", ignore: "i", hide: "h", show: "s", tagfocus: "tf", tagignore: "ti", tagshow: "ts", taghide: "th" };
  window.tsprofRefine = function (action, rx) {
    if (action === "peek" || action === "source") { go("./" + action, { f: rx }); return; }
    if (action === "stacks") { go("./stacks", { p: rx }); return; }
    var c = {}; c[param[action]] = rx; go(here, c);
  };
  document.querySelectorAll("button[data-refine]").forEach(function (b) {
    b.addEventListener("click", function () {
      var act = b.getAttribute("data-refine");
      if (act === "reset") {
        var none = {};
        Object.keys(param).forEach(function (k) { none[param[k]] = null; });
        go(here, none);
        return;
      }
      var rx = box.value.trim();
      if (rx === "") { box.focus(); return; }
      window.tsprofRefine(act, rx);
    });
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && box.value.trim() !== "") window.tsprofRefine("focus", box.value.trim());
  });
  var si = document.getElementById("sample-index");
  if (si) si.addEventListener("change", function () { go(here, { si: si.value }); });
  function toggle(el, name) {
    if (selected[name]) { delete selected[name]; el.classList.remove("sel"); }
    else { selected[name] = true; el.classList.add("sel"); }
    box.value = selectionRegexp();
  }
  document.querySelectorAll("tr.row[data-name]").forEach(function (tr) {
    tr.addEventListener("click", function () { toggle(tr, tr.getAttribute("data-name")); });
  });
  document.querySelectorAll("#graph g.node").forEach(function (g) {
    var a = g.querySelector("a");
    var t = a && (a.getAttribute("xlink:title") || a.getAttribute("title"));
    var m = t && /^(.*) \\([^()]*\\)$/.exec(t);
    if (!m) return;
    g.addEventListener("click", function (e) { e.preventDefault(); toggle(g, m[1]); });
  });
  var table = document.querySelector("table.top");
  if (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.addEventListener("click", function () {
        var col = Number(th.getAttribute("data-sort"));
        var key = th.getAttribute("data-key");
        var rows = Array.prototype.slice.call(table.querySelectorAll("tr.row"));
        rows.sort(function (a, b) {
          var x = a.children[col].getAttribute("data-v"), y = b.children[col].getAttribute("data-v");
          if (key === "text") return x < y ? -1 : x > y ? 1 : 0;
          return Math.abs(Number(y)) - Math.abs(Number(x));
        });
        var body = table.tBodies[0];
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  var graph = document.getElementById("graph");
  if (graph) {
    var svg = graph.querySelector("svg");
    var zoom = 1;
    var w0 = svg ? parseFloat(svg.getAttribute("width")) : 0, h0 = svg ? parseFloat(svg.getAttribute("height")) : 0;
    function setZoom(z) {
      zoom = Math.max(0.1, Math.min(8, z));
      if (svg && w0 && h0) { svg.setAttribute("width", (w0 * zoom) + "pt"); svg.setAttribute("height", (h0 * zoom) + "pt"); }
    }
    document.querySelectorAll("button[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var d = b.getAttribute("data-zoom");
        setZoom(d === "in" ? zoom * 1.25 : d === "out" ? zoom / 1.25 : 1);
      });
    });
  }
})();
`;
