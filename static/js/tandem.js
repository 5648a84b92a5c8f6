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

  // The top menu stays on one row; when a role has more entries than fit, the row scrolls
  // sideways, its edge fades, and the current page's entry is scrolled into view.
  function fitMenu() {
    var nav = document.querySelector(".app-nav");
    if (!nav) {
      return;
    }
    nav.classList.toggle("is-overflowing", nav.scrollWidth > nav.clientWidth + 1);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var active = document.querySelector(".app-nav .nav-link.active");
    if (active && active.scrollIntoView) {
      active.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    fitMenu();
  });
  window.addEventListener("resize", fitMenu);

  // Confirmation for dangerous actions: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
})();
