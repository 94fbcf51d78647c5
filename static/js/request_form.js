// The clearance form: searchable place of issue, Jalali date picker, and a field-of-study
// list that follows the chosen faculty and degree. The server checks all of it again.
(function () {
  "use strict";
  var place = document.getElementById("id_place_of_issue");
  if (place && window.TomSelect) {
    var noResults = document.getElementById("request-form").dataset.noResults;
    new TomSelect(place, {
      maxOptions: 1000,
      allowEmptyOption: true,
      // The ~500 places are local: filter at once rather than after a pause that can
      // reopen the list under a quick pick.
      refreshThrottle: 0,
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = noResults;
          return div;
        },
      },
    });
  }
  if (window.jalaliDatepicker) {
    jalaliDatepicker.startWatch({ persianDigits: true, autoReadOnlyInput: false, time: false });
  }
  var options = JSON.parse(document.getElementById("field-options").textContent);
  var faculty = document.getElementById("id_faculty");
  var degree = document.getElementById("id_degree");
  var field = document.getElementById("id_field_of_study");
  if (!faculty || !degree || !field) { return; }
  var all = Array.prototype.slice.call(field.options).map(function (o) {
    return { value: o.value, text: o.text, selected: o.selected };
  });
  function refresh() {
    var allowed = {};
    options.forEach(function (o) {
      if (String(o.faculty_id) === faculty.value && String(o.degree_id) === degree.value) {
        allowed[o.pk] = true;
      }
    });
    var current = field.value;
    field.innerHTML = "";
    all.forEach(function (o) {
      if (o.value === "" || allowed[o.value]) {
        var opt = new Option(o.text, o.value, false, o.value === current);
        field.add(opt);
      }
    });
  }
  faculty.addEventListener("change", refresh);
  degree.addEventListener("change", refresh);
  if (faculty.value && degree.value) { refresh(); }
})();
