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
  document.body.addEventListener("htmx:responseError", function (event) {
    var card = event.detail.elt;
    if (card && card.classList.contains("kanban-card")) {
      window.alert(event.detail.xhr.responseText);
      window.location.reload();
    }
  });
})();
