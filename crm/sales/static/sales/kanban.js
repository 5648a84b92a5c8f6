// Kanban drag between stages: SortableJS moves the card, htmx POSTs the new stage and swaps in
// the saved card; a refused move puts the card back where it was.
(function () {
  "use strict";
  document.querySelectorAll("[data-kanban-list]").forEach(function (list) {
    new Sortable(list, {
      group: "pipeline",
      animation: 150,
      forceFallback: true,
      onAdd: function (event) {
        var card = event.item;
        var stage = event.to.getAttribute("data-stage");
        var from = event.from;
        var index = event.oldIndex;
        htmx.ajax("POST", card.getAttribute("data-move-url"), {
          target: card,
          swap: "outerHTML",
          values: { stage: stage }
        }).catch(function () {
          from.insertBefore(card, from.children[index] || null);
        });
      }
    });
  });
  // Column totals follow the cards.
  function refreshTotals() {
    var fmt = new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "currency", currency: "CNY", currencyDisplay: "narrowSymbol" });
    document.querySelectorAll(".kanban-column").forEach(function (column) {
      var sum = 0;
      column.querySelectorAll("[data-amount]").forEach(function (card) {
        sum += parseFloat(card.getAttribute("data-amount")) || 0;
      });
      var total = column.querySelector("[data-column-total]");
      if (total) {
        total.textContent = fmt.format(sum);
      }
    });
  }
  document.body.addEventListener("htmx:afterSettle", refreshTotals);

  document.body.addEventListener("htmx:responseError", function (event) {
    var card = event.detail.elt;
    if (card && card.classList.contains("kanban-card")) {
      window.alert(event.detail.xhr.responseText);
      window.location.reload();
    }
  });
})();
