// The order form's shortage choices: a button with data-set-field="<field id>" and data-value
// sets that header field (ship-from warehouse, wait and ship complete) and announces the change,
// so that the live figures are asked for again.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-set-field]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-set-field"));
    if (!field) {
      return;
    }
    field.value = button.getAttribute("data-value");
    field.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
