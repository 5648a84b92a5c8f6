// The product form: choosing another unit (箱) fills its factor in from the company's usual
// conversion to the base unit (24 个), when the factor is still empty. The conversions come from
// the page (json_script "unit-conversions"); the server applies the same default on saving.
(function () {
  "use strict";
  function conversions() {
    var node = document.getElementById("unit-conversions");
    return node ? JSON.parse(node.textContent) : [];
  }
  document.addEventListener("change", function (event) {
    var name = event.target.closest("[data-unit-name]");
    if (!name) return;
    var row = name.closest("tr");
    var factor = row && row.querySelector("[data-unit-factor]");
    var base = document.querySelector("[name=base_unit]");
    if (!factor || factor.value || !base) return;
    var match = conversions().find(function (c) {
      return String(c.unit) === name.value && String(c.base) === base.value;
    });
    if (match) factor.value = match.factor;
  });
})();
