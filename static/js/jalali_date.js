// The Jalali date picker on inputs marked data-jdp (@majidh1/jalalidatepicker). It shows
// Persian digits but reads back only ASCII ones, and opens on today's month unless told
// otherwise, so this file turns it to the typed date, or to the field's data-jdp-start (a
// birth date opens around a graduate's birth year). On a phone the picker is a sheet at the
// bottom of the screen: the field is scrolled above it and stays readable (tasvieh.css).
(function () {
  "use strict";
  if (!window.jalaliDatepicker) { return; }
  jalaliDatepicker.startWatch({
    persianDigits: true,
    autoReadOnlyInput: false,
    time: false,
    showCloseBtn: true, // on every screen, not only on the phones the picker recognises
    minDate: "attr", // data-jdp-min-date / data-jdp-max-date, where the field has them
    maxDate: "attr",
  });
  var DIGITS = /[\u06F0-\u06F9\u0660-\u0669]/g;
  function ascii(text) { // both blocks of digits end in 0…9: U+06F0–06F9, U+0660–0669
    return text.replace(DIGITS, function (d) { return String(d.charCodeAt(0) & 0xF); });
  }
  function picker() {
    var container = document.querySelector("jdp-container");
    return container && container.style.display !== "none" ? container : null;
  }
  // Pick a value in the picker's own year or month list, as a person would.
  function choose(select, value) {
    if (!select || !value || select.value === String(value)) { return; }
    var offered = Array.prototype.some.call(select.options, function (o) {
      return o.value === String(value);
    });
    if (!offered) { return; }
    select.value = String(value);
    select.dispatchEvent(new Event("change"));
  }
  function turn(input) {
    var typed = ascii(input.value).split("/");
    var date = typed.length === 3 && typed[0].length === 4 ? typed : null;
    if (!date && !input.value.trim()) { date = (input.dataset.jdpStart || "").split("/"); }
    if (!date || !picker()) { return; }
    // The picker redraws itself after each choice: look its lists up again.
    choose(picker().querySelector(".jdp-year select"), parseInt(date[0], 10));
    choose(picker().querySelector(".jdp-month select"), parseInt(date[1], 10));
  }
  function keepAboveSheet(input) {
    var sheet = picker();
    if (!sheet || window.innerWidth > 481) { return; }
    var sheetTop = window.innerHeight - sheet.offsetHeight;
    var bottom = input.getBoundingClientRect().bottom + 8;
    if (bottom > sheetTop) { window.scrollBy(0, bottom - sheetTop); }
  }
  // After the picker's own handler on <body> has opened it.
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-jdp]")) { return; }
    turn(input);
    keepAboveSheet(input);
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-jdp]")) { turn(event.target); }
  });
})();
