// The reports page: two charts drawn from the numbers the server put in #report-data
// (the table and the CSV export hold the same numbers), PNG downloads, the date pickers.
(function () {
  "use strict";
  if (window.jalaliDatepicker) {
    jalaliDatepicker.startWatch({ persianDigits: true, autoReadOnlyInput: false, time: false });
  }
  var source = document.getElementById("report-data");
  if (!source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  var rtl = document.documentElement.dir === "rtl";
  var locale = document.documentElement.lang === "fa" ? "fa-IR" : "en";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.locale = locale;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;
  var numbers = new Intl.NumberFormat(locale);
  var count = { precision: 0, callback: function (value) { return numbers.format(value); } };
  Chart.defaults.layout.padding = { left: 12, right: 12 };
  var legend = { position: "bottom", rtl: rtl, textDirection: rtl ? "rtl" : "ltr" };
  var tooltip = { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" };
  var charts = {};

  charts["chart-offices"] = new Chart(document.getElementById("chart-offices"), {
    type: "bar",
    data: {
      labels: data.offices,
      datasets: [
        { label: data.labels.waiting, data: data.waiting, backgroundColor: "#0b5394" },
        { label: data.labels.overdue, data: data.overdue, backgroundColor: "#b02a37" },
        { label: data.labels.with_student, data: data.with_student, backgroundColor: "#f0a500" },
      ],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: legend, tooltip: tooltip },
      scales: {
        x: { stacked: true, reverse: rtl, ticks: count },
        y: { stacked: true, position: rtl ? "right" : "left" },
      },
    },
  });

  charts["chart-days"] = new Chart(document.getElementById("chart-days"), {
    type: "line",
    data: {
      labels: data.days,
      datasets: [
        { label: data.labels.submitted, data: data.submitted, borderColor: "#0b5394", backgroundColor: "#0b5394", tension: 0.2, pointRadius: 0 },
        { label: data.labels.cleared, data: data.cleared, borderColor: "#146c43", backgroundColor: "#146c43", tension: 0.2, pointRadius: 0 },
      ],
    },
    options: {
      plugins: { legend: legend, tooltip: tooltip },
      scales: {
        x: { reverse: rtl, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
        y: { position: rtl ? "right" : "left", beginAtZero: true, ticks: count },
      },
    },
  });

  document.querySelectorAll("[data-chart-png]").forEach(function (button) {
    button.addEventListener("click", function () {
      var chart = charts[button.dataset.chartPng];
      var link = document.createElement("a");
      link.href = chart.toBase64Image("image/png", 1);
      link.download = button.dataset.filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  });
})();
