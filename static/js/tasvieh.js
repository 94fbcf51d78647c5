// Tasvieh: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // A double click never submits a form twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Ask first where the page says so (the text comes translated from the template).
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      b.setAttribute("aria-disabled", "true");
      b.classList.add("disabled");
    });
  });
  // "Select all" on the office queues.
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll(".task-select").forEach(function (box) { box.checked = all.checked; });
    });
  }
  // On a phone the request's form values come last, folded: the messages matter more.
  if (window.matchMedia("(max-width: 991.98px)").matches) {
    document.querySelectorAll("details[data-fold-narrow]").forEach(function (d) { d.open = false; });
  }
  // Move focus to the error summary so screen readers announce it.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
