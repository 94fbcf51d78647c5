// Inputs marked data-digits (persian/widgets.py) keep Persian digits while the user types on
// a Persian page, as the server draws them; data-digits="amount" also groups the digits in
// thousands with the Persian separator «٬». The server reads any digits, so the page works
// the same without this file.
(function () {
  "use strict";
  if (document.documentElement.lang !== "fa") { return; }
  var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
  var ANY_DIGIT = /[0-9\u0660-\u0669\u06F0-\u06F9]/g;
  // ASCII, Arabic-Indic and Persian digits all end in 0…9 in their code points.
  function value(digit) { return digit.charCodeAt(0) & 0xF; }
  function persian(text) {
    return text.replace(ANY_DIGIT, function (d) { return PERSIAN[value(d)]; });
  }
  function amount(text) {
    var digits = text.replace(ANY_DIGIT, function (d) { return String(value(d)); })
      .replace(/\D/g, "").replace(/^0+(?=\d)/, "");
    return persian(digits.replace(/\B(?=(\d{3})+(?!\d))/g, "\u066C"));
  }
  // Where the caret goes after regrouping: behind as many digits as stood before it.
  function afterDigits(text, count) {
    var i = 0;
    for (var seen = 0; i < text.length && seen < count; i++) {
      if (PERSIAN.indexOf(text[i]) >= 0) { seen++; }
    }
    return i;
  }
  function localize(input) {
    var before = input.value;
    var grouped = input.dataset.digits === "amount";
    var after = grouped ? amount(before) : persian(before);
    if (after === before) { return; }
    var caret = input.selectionStart;
    input.value = after;
    if (document.activeElement === input && caret !== null) {
      // A digit is replaced by one digit; only regrouping moves the caret.
      var typed = (before.slice(0, caret).match(ANY_DIGIT) || []).length;
      var at = grouped ? afterDigits(after, typed) : caret;
      input.setSelectionRange(at, at);
    }
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (event.isComposing || !input.matches || !input.matches("input[data-digits]")) { return; }
    localize(input);
  });
  // Values filled in before this ran (the browser's autofill, a restored page).
  document.querySelectorAll("input[data-digits]").forEach(localize);
})();
