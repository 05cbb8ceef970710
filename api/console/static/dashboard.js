// Draw each dashboard chart with the vendored Apache ECharts from its JSON island (<script id="data-KEY">).
// The numbers come from the server; here they only become an ECharts option by the chart's kind:
// "line" (a line per series), "bar" (bars side by side), "stacked" (bars stacked per category).
(function () {
  "use strict";
  function option(data) {
    const line = data.kind === "line";
    const money = data.unit === "yuan";
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 48 },
      xAxis: { type: "category", data: data.categories, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: money ? 0 : 1, name: money ? "元" : "" },
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: line ? "line" : "bar",
          stack: data.kind === "stacked" ? "total" : undefined,
          data: s.values.map(Number),
        };
      }),
    };
  }
  function draw(node) {
    const island = document.getElementById("data-" + node.dataset.chart);
    if (!island) { return; }
    const chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(option(JSON.parse(island.textContent)));
    node.dataset.ready = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
