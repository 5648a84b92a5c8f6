/* The replenishment plan's chart on a product's planning page: demand per day (bars; stock-out
   days apart, left out of the forecast) and the forecast ahead (a line), from the JSON that the
   page carries next to each chart (json_script). Apache ECharts draws it. */
(function () {
  "use strict";

  function draw(box) {
    var source = document.getElementById(box.dataset.chart);
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 40, bottom: 56 },
      legend: { top: 0 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: data.days, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", min: 0 },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      series: [
        { name: data.labels.demand, type: "bar", stack: "history", data: data.demand, itemStyle: { color: "#0d6efd" } },
        { name: data.labels.stockout, type: "bar", stack: "history", data: data.stockout, itemStyle: { color: "#dc3545", opacity: 0.45 } },
        {
          name: data.labels.forecast, type: "line", data: data.forecast, showSymbol: false, connectNulls: false,
          lineStyle: { type: "dashed", width: 2, color: "#fd7e14" }, itemStyle: { color: "#fd7e14" },
          markLine: { symbol: "none", silent: true, label: { formatter: data.labels.today },
                      lineStyle: { color: "#6c757d" }, data: [{ xAxis: data.today }] }
        }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
