/* The manager dashboard's charts. Each card carries its chart as JSON next to an empty box
   (json_script: no inline script, the CSP holds): {kind, categories, series: [{name, values}],
   unit, drilldown, links?}. Amounts arrive as decimal strings and are drawn as numbers. Apache
   ECharts draws them in the page's language, tooltips as rich text on the canvas (an HTML
   tooltip would carry inline styles, which the CSP refuses). A click on a chart opens the list
   behind it: the category's own list when ``links`` names one, else the card's. Charts that
   htmx swaps in are drawn when it settles; those swapped out are disposed of.
   The period form shows the fields its kind of period needs, and a new kind or team applies at
   once. */
(function () {
  "use strict";

  var COLOURS = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#0dcaf0", "#ffc107", "#6c757d"];
  var charts = [];

  function language() {
    return (document.documentElement.lang || "en").toLowerCase();
  }

  function isChinese() {
    return language().indexOf("zh") === 0;
  }

  function currency(box) {
    var root = box.closest("[data-currency]");
    return (root && root.dataset.currency) || "CNY";
  }

  function toNumber(value) {
    if (value === null || value === undefined || value === "") {
      return null;
    }
    var number = Number(value);
    return isFinite(number) ? number : null;
  }

  function numberFormat(options) {
    try {
      return new Intl.NumberFormat(language(), options);
    } catch (error) {
      return new Intl.NumberFormat(undefined, options);
    }
  }

  // Full: a tooltip's value (money with its currency and cents). Short: an axis label (large
  // numbers compact, 12万 or 120K).
  function formatter(unit, box, short) {
    var full = unit === "money"
      ? numberFormat({ style: "currency", currency: currency(box), minimumFractionDigits: 2, maximumFractionDigits: 2 })
      : numberFormat({ maximumFractionDigits: unit === "percent" || unit === "days" ? 1 : 2 });
    var compact = numberFormat({ notation: "compact", maximumFractionDigits: 1 });
    var plain = numberFormat({ maximumFractionDigits: 2 });
    var suffix = unit === "percent" ? " %" : unit === "days" ? (isChinese() ? " 天" : " d") : "";
    return function (value) {
      var number = toNumber(value);
      if (number === null) {
        return "–";
      }
      if (!short) {
        return full.format(number) + suffix;
      }
      return (Math.abs(number) >= 10000 ? compact : plain).format(number) + suffix;
    };
  }

  // Where a click on the category at ``index`` leads: the category's own list when the chart
  // names one (``links``, e.g. a warehouse's stock), else the card's list.
  function target(data, index) {
    if (index !== null && data.links && data.links[index]) {
      return data.links[index];
    }
    return data.drilldown || null;
  }

  function open(url) {
    if (url) {
      window.location.assign(url);
    }
  }

  // Something to draw: a value that is not missing (and, but for percentages, not zero).
  function hasValues(data) {
    return (data.series || []).some(function (s) {
      return (s.values || []).some(function (v) {
        var number = toNumber(v);
        return number !== null && (number !== 0 || data.unit === "percent");
      });
    });
  }

  function highest(data) {
    var top = -Infinity;
    (data.series || []).forEach(function (s) {
      (s.values || []).forEach(function (v) {
        var number = toNumber(v);
        if (number !== null && number > top) {
          top = number;
        }
      });
    });
    return top;
  }

  function itemsOf(data) {
    var first = (data.series && data.series[0]) || { values: [] };
    return data.categories.map(function (name, i) {
      return { name: name, value: toNumber(first.values[i]) };
    });
  }

  function cartesian(data, box) {
    var full = formatter(data.unit, box, false);
    var short = formatter(data.unit, box, true);
    var kind = data.kind;
    var series = (data.series || []).map(function (s, i) {
      var item = {
        name: s.name,
        type: kind === "line" ? "line" : "bar",
        data: (s.values || []).map(toNumber),
        itemStyle: { color: COLOURS[i % COLOURS.length] },
        emphasis: { focus: "series" },
        cursor: "pointer"
      };
      if (kind === "line") {
        item.smooth = 0.2;
        item.smoothMonotone = "x";
        item.symbolSize = 7;
        item.connectNulls = false;
        if (i === 0) {
          item.areaStyle = { opacity: 0.08 };
        }
      } else {
        item.barMaxWidth = 36;
        if (kind === "bar_stacked") {
          item.stack = "total";
        }
      }
      return item;
    });
    var yAxis = {
      type: "value",
      axisLabel: { formatter: short, color: "#6c757d" },
      splitLine: { lineStyle: { color: "#e9ecef" } }
    };
    if (data.unit === "percent" && highest(data) <= 0) {
      yAxis.max = 100; // a rate that is nothing at all: against 0–100 %, not 0–1 %
    }
    return {
      color: COLOURS,
      grid: { left: 8, right: kind === "line" ? 24 : 12, top: series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
      legend: series.length > 1 ? { top: 0, type: "scroll", icon: "roundRect", itemWidth: 12, itemHeight: 8 } : { show: false },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: kind === "line" ? "line" : "shadow" },
        valueFormatter: full,
        renderMode: "richText",
        confine: true
      },
      xAxis: {
        type: "category",
        data: data.categories,
        boundaryGap: kind !== "line",
        axisTick: { alignWithLabel: true },
        axisLabel: { hideOverlap: true, color: "#6c757d" }
      },
      yAxis: yAxis,
      series: series
    };
  }

  function funnel(data, box) {
    var full = formatter(data.unit, box, false);
    return {
      color: COLOURS,
      tooltip: { trigger: "item", renderMode: "richText", confine: true, formatter: function (p) { return p.name + ": " + full(p.value); } },
      series: [{
        name: (data.series[0] || {}).name,
        type: "funnel",
        sort: "none",
        left: "8%",
        right: "8%",
        top: 8,
        bottom: 8,
        gap: 0,
        // Wide enough for a stage's name and count, however few it holds.
        minSize: "30%",
        itemStyle: { borderColor: "#fff", borderWidth: 1 },
        cursor: "pointer",
        label: { show: true, position: "inside", color: "#fff", formatter: function (p) { return p.name + "  " + full(p.value); } },
        data: itemsOf(data)
      }]
    };
  }

  function pie(data, box) {
    var full = formatter(data.unit, box, false);
    return {
      color: COLOURS,
      tooltip: { trigger: "item", renderMode: "richText", confine: true, formatter: function (p) { return p.name + ": " + full(p.value) + " (" + p.percent + " %)"; } },
      legend: { type: "scroll", orient: "vertical", right: 0, top: "middle", icon: "circle", itemWidth: 8, itemHeight: 8 },
      series: [{
        name: (data.series[0] || {}).name,
        type: "pie",
        radius: ["45%", "72%"],
        center: ["38%", "50%"],
        avoidLabelOverlap: true,
        cursor: "pointer",
        label: { show: false },
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        data: itemsOf(data)
      }]
    };
  }

  function empty(box) {
    return {
      title: {
        text: box.dataset.empty || "",
        left: "center",
        top: "middle",
        textStyle: { color: "#6c757d", fontSize: 13, fontWeight: "normal" }
      }
    };
  }

  function optionFor(data, box) {
    if (!hasValues(data)) {
      return empty(box);
    }
    if (data.kind === "funnel") {
      return funnel(data, box);
    }
    if (data.kind === "pie") {
      return pie(data, box);
    }
    return cartesian(data, box);
  }

  function draw(box) {
    var source = document.getElementById(box.dataset.insightsChart);
    if (!source || typeof echarts === "undefined" || echarts.getInstanceByDom(box)) {
      return;
    }
    var data = JSON.parse(source.textContent);
    data.categories = data.categories || [];
    var chart = echarts.init(box, null, { renderer: "canvas", locale: isChinese() ? "ZH" : "EN" });
    var option = optionFor(data, box);
    option.animationDuration = 300;
    // data-drawn: drawn; data-settled: its animation over too (what a screenshot waits for).
    chart.on("finished", function () { box.dataset.settled = "true"; });
    chart.setOption(option);
    box.dataset.drawn = "true";
    if (!hasValues(data)) {
      charts.push(chart);
      return;
    }
    if (data.kind === "funnel" || data.kind === "pie") {
      chart.on("click", function (params) { open(target(data, params.dataIndex)); });
    } else {
      // A click anywhere over a category (not only on its bar or point) opens it.
      chart.getZr().on("click", function (event) {
        var point = [event.offsetX, event.offsetY];
        if (!chart.containPixel("grid", point)) {
          return;
        }
        // [category index, value] of the point in the grid.
        var at = chart.convertFromPixel({ gridIndex: 0 }, point);
        var index = Array.isArray(at) ? Math.round(Number(at[0])) : NaN;
        open(target(data, index >= 0 && index < data.categories.length ? index : null));
      });
      chart.getZr().on("mousemove", function (event) {
        chart.getZr().setCursorStyle(chart.containPixel("grid", [event.offsetX, event.offsetY]) ? "pointer" : "default");
      });
    }
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () { chart.resize(); }).observe(box);
    }
    charts.push(chart);
  }

  function forget() {
    charts = charts.filter(function (chart) {
      if (chart.isDisposed()) {
        return false;
      }
      if (!chart.getDom().isConnected) {
        chart.dispose();
        return false;
      }
      return true;
    });
  }

  function toggle(group, hide) {
    group.hidden = hide;
    group.querySelectorAll("input").forEach(function (input) { input.disabled = hide; });
  }

  // The period form shows the fields its kind needs (without script, all of them).
  function periodForm(form) {
    if (form.dataset.ready) {
      return;
    }
    form.dataset.ready = "true";
    function show() {
      var checked = form.querySelector("input[name=period]:checked");
      var custom = checked && checked.value === "custom";
      // Hidden fields are also left out of the query (disabled), so the address says no more
      // than the period it shows.
      form.querySelectorAll("[data-period-custom]").forEach(function (el) { toggle(el, !custom); });
      form.querySelectorAll("[data-period-at]").forEach(function (el) { toggle(el, custom); });
    }
    form.addEventListener("change", function (event) {
      var field = event.target;
      if (field.name === "period") {
        show();
        if (field.value !== "custom") {
          // Another kind of period: its current one (the typed month would not fit a year).
          form.querySelector("input[name=at]").value = "";
          form.requestSubmit();
        }
      } else if (field.hasAttribute("data-autosubmit")) {
        form.requestSubmit();
      }
    });
    show();
  }

  function setUp(root) {
    forget();
    (root || document).querySelectorAll("[data-insights-chart]").forEach(draw);
    (root || document).querySelectorAll("[data-insights-filters]").forEach(periodForm);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
  document.addEventListener("htmx:afterSettle", function () { setUp(document); });
  // Empty fields stay out of the address (the current period, all teams).
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.target.matches || !event.target.matches("[data-insights-filters]")) {
      return;
    }
    ["at", "start", "end", "team"].forEach(function (name) {
      if (event.detail.parameters[name] === "") {
        delete event.detail.parameters[name];
      }
    });
  });
})();
