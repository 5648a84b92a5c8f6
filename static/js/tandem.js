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
  // A scan is sent with its code and the field emptied at once, ready for the next: a scanner may
  // type the next code before the answer arrives, and emptying the field on the answer would cut
  // that code short. The page's other requests (the notification bell) leave the field alone.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var field = document.querySelector("[data-scan-field]");
    var elt = event.detail && event.detail.elt;
    if (field && elt && (elt === field || elt.contains(field))) {
      field.value = "";
    }
  });
  document.addEventListener("htmx:afterSettle", focusScanField);
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a")) {
      focusScanField();
    }
  });

  // The top menu stays on one row: when a role's entries do not fit beside the tools, the bar
  // folds the menu under the toggler (as on a phone) rather than wrapping to a second row.
  function menuCollides(bar, nav) {
    var inner = bar.querySelector(".app-navbar-inner");
    var tools = bar.querySelector(".app-tools");
    var last = nav.lastElementChild;
    if (inner.scrollWidth > inner.clientWidth + 1 || nav.scrollWidth > nav.clientWidth + 1) {
      return true;
    }
    return !!(last && tools && last.getBoundingClientRect().right > tools.getBoundingClientRect().left);
  }

  function fitMenu() {
    var bar = document.querySelector(".app-navbar");
    var nav = bar && bar.querySelector(".app-nav");
    if (!nav) {
      return;
    }
    bar.classList.add("navbar-expand-md");
    bar.classList.remove("is-folded");
    var expanded = window.getComputedStyle(bar.querySelector(".navbar-toggler")).display === "none";
    if (expanded && menuCollides(bar, nav)) {
      bar.classList.remove("navbar-expand-md");
      bar.classList.add("is-folded");
    }
  }
  fitMenu();
  document.addEventListener("DOMContentLoaded", fitMenu);
  window.addEventListener("load", fitMenu);
  window.addEventListener("resize", fitMenu);

  // Confirmation for dangerous actions: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Copy a block's text: <button data-copy-target="#id" data-copied-label="Copied">. The
  // clipboard needs a secure context (HTTPS or localhost); elsewhere the text is selected instead,
  // ready for Ctrl+C.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    var source = button && document.querySelector(button.getAttribute("data-copy-target"));
    if (!source) {
      return;
    }
    var lines = [];
    source.querySelectorAll("dt").forEach(function (term) {
      var value = term.nextElementSibling;
      lines.push(term.innerText.trim() + ": " + (value ? value.innerText.trim() : ""));
    });
    var text = lines.length ? lines.join("\n") : source.innerText;
    var done = function () {
      button.textContent = button.getAttribute("data-copied-label") || button.textContent;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      window.getSelection().selectAllChildren(source);
    }
  });
})();
