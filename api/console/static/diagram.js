// Draw an instance's diagram with bpmn-js (NavigatedViewer) and mark its active and completed elements.
// The states come from the server (data-active / data-completed); nothing is decided here.
(function () {
  "use strict";
  function mark(canvas, registry, ids, cls) {
    ids.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, cls); } });
  }
  async function draw(node) {
    const viewer = new BpmnJS({ container: node });
    const response = await fetch(node.dataset.xmlUrl, { credentials: "same-origin" });
    if (!response.ok) { node.textContent = "流程图加载失败"; return; }
    try {
      await viewer.importXML(await response.text());
    } catch (err) {
      node.textContent = "流程图无法绘制";
      return;
    }
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    mark(canvas, registry, JSON.parse(node.dataset.completed || "[]"), "yb-completed");
    mark(canvas, registry, JSON.parse(node.dataset.active || "[]"), "yb-active");
    node.dataset.ready = "true";
    document.body.addEventListener("htmx:beforeSwap", function () { viewer.destroy(); }, { once: true });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#diagram[data-xml-url]").forEach(draw);
  });
})();
