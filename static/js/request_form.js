// The clearance form: a searchable place of issue, and a field-of-study list that follows the
// chosen faculty and degree. The server checks all of it again.
(function () {
  "use strict";
  var form = document.getElementById("request-form");
  var place = document.getElementById("id_place_of_issue");
  if (place && window.TomSelect) {
    new TomSelect(place, {
      maxOptions: 1000,
      // The search box lives in the list, so the box itself shows either the chosen city or
      // the "Choose…" placeholder — never the placeholder and the typed text together.
      plugins: ["dropdown_input"],
      allowEmptyOption: false,
      // The ~500 places are local: filter at once rather than after a pause that can
      // reopen the list under a quick pick.
      refreshThrottle: 0,
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = form.dataset.noResults;
          return div;
        },
      },
    });
  }
  var faculty = document.getElementById("id_faculty");
  var degree = document.getElementById("id_degree");
  var field = document.getElementById("id_field_of_study");
  if (!faculty || !degree || !field) { return; }
  var offered = JSON.parse(document.getElementById("field-options").textContent);
  var empty = field.querySelector("option[value='']");
  // Every field, read once from the list the server drew (grouped by faculty and degree).
  var all = Array.prototype.filter.call(field.querySelectorAll("option"), function (o) {
    return o.value !== "";
  }).map(function (o) { return { value: o.value, text: o.text }; });
  function refresh() {
    var allowed = {};
    offered.forEach(function (o) {
      if (String(o.faculty_id) === faculty.value && String(o.degree_id) === degree.value) {
        allowed[o.pk] = true;
      }
    });
    var current = field.value;
    field.replaceChildren(new Option(empty ? empty.text : "", ""));
    all.forEach(function (o) {
      if (allowed[o.value]) { field.add(new Option(o.text, o.value, false, o.value === current)); }
    });
  }
  faculty.addEventListener("change", refresh);
  degree.addEventListener("change", refresh);
  refresh();
})();
