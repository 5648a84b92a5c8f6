// Tandem's small page behaviours. No inline scripts (Content-Security-Policy), so pages opt in
// with data attributes.
(function () {
  "use strict";

  // A scan field stays focused: barcode scanners type like a keyboard and end with Enter.
  function focusScanField() {
    var field = document.querySelector("[data-scan-field]");
    if (field && document.activeElement !== field) {
      field.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", focusScanField);
  document.addEventListener("htmx:afterSettle", function () {
    var field = document.querySelector("[data-scan-field]");
    if (field) {
      field.value = "";
    }
    focusScanField();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a")) {
      focusScanField();
    }
  });

  // Confirmation for dangerous actions: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
})();
