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
  document.addEventListener("htmx:afterSettle", focusScanField);
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a")) {
      focusScanField();
    }
  });

  // A quantity typed with a scan ([data-scan-quantity] beside the scan field) belongs to that
  // scan only: it is emptied as soon as the scan's fields are gathered.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var quantity = elt && elt.querySelector && elt.querySelector("[data-scan-quantity]");
    if (quantity) {
      quantity.value = "";
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

  // Pickers: <select data-picker="<search URL>"> (core.pickers) becomes a Tom Select box that
  // asks its URL as one types (code, name, pinyin, initials) and shows the answer in the
  // server's order. Keyboard only: arrows move, Enter picks. A scanner types a code and Enter
  // faster than the answer comes: that Enter waits for the answer to the code and picks its
  // first row (a barcode or SKU in full comes first), so a scan never picks a stale row nor
  // submits the form. Boxes inside content htmx swaps in start up there too.
  function pickerUrl(select, query) {
    var url = select.getAttribute("data-picker");
    return url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
  }

  function pickerUnit(select, row) {
    // A unit barcode names the unit too: the line's unit field (data-picker-unit-field) takes
    // it once the product's units are there. They come with the product's htmx answer, which
    // replaces the field: wait for the new field (the page's other answers settle meanwhile).
    var target = select.getAttribute("data-picker-unit-field");
    if (!target || !row || !row.unit) {
      return;
    }
    var unitId = String(row.unit.id);
    var before = document.getElementById(target);
    var started = Date.now();
    var apply = function (field) {
      if (field && field.querySelector('option[value="' + unitId + '"]')) {
        field.value = unitId;
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    };
    var onSettle = function () {
      var field = document.getElementById(target);
      var waited = Date.now() - started;
      if (field !== before || waited > 3000) {
        document.removeEventListener("htmx:afterSettle", onSettle);
        apply(field);
      }
    };
    document.addEventListener("htmx:afterSettle", onSettle);
  }

  function initPicker(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") {
      return;
    }
    var shownQuery = null; // the query whose answer the box shows
    var shown = {}; // ids of that answer
    var pendingEnter = null; // a query Enter was pressed on before its answer came
    var multiple = select.multiple;
    var settings = {
      valueField: "id",
      labelField: "text",
      searchField: [],
      maxOptions: 50,
      loadThrottle: 120,
      preload: "focus",
      hideSelected: true,
      // A pick closes the box and clears what was typed: for several, the next is typed afresh.
      closeAfterSelect: true,
      highlight: false,
      // On the page, not in the field's box: a table that scrolls sideways would clip it (in a
      // dialog, in the box: the dialog keeps the keyboard and mouse to itself).
      dropdownParent: select.closest(".modal") ? null : "body",
      allowEmptyOption: false,
      placeholder: select.getAttribute("data-placeholder") || null,
      shouldLoad: function () { return true; },
      plugins: multiple ? ["remove_button"] : select.required ? [] : ["clear_button"],
      // The server has searched and ranked: show its answer to what is typed, in its order.
      score: function (search) {
        var query = search.trim();
        return function (item) {
          return query === shownQuery && shown[String(item.id)] ? 1 : 0;
        };
      },
      load: function (query, callback) {
        var box = this;
        query = query.trim();
        fetch(pickerUrl(select, query), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .catch(function () { return { results: [] }; })
          .then(function (data) {
            if (box.inputValue().trim() !== query) {
              callback(); // a later keystroke has its own request
              return;
            }
            var rows = (data && data.results) || [];
            box.clearOptions();
            shownQuery = query;
            shown = {};
            rows.forEach(function (row) { shown[String(row.id)] = true; });
            callback(rows);
            if (pendingEnter !== null && pendingEnter === query) {
              pendingEnter = null;
              if (rows.length) {
                box.addItem(String(rows[0].id));
                box.setTextboxValue("");
                if (!multiple) {
                  box.close();
                }
              }
            }
          });
      },
      render: {
        option: function (row, escape) {
          var second = row.secondary ? '<div class="picker-secondary">' + escape(row.secondary) + "</div>" : "";
          return '<div class="picker-option"><div class="picker-text">' + escape(row.text) + "</div>" + second + "</div>";
        },
        item: function (row, escape) {
          return '<div title="' + escape(row.secondary || "") + '">' + escape(row.text) + "</div>";
        },
        no_results: function () {
          return '<div class="no-results">' + escapeHtml(select.getAttribute("data-picker-none") || "–") + "</div>";
        },
      },
      onItemAdd: function (value) {
        pickerUnit(select, this.options[value]);
      },
    };
    var box = new window.TomSelect(select, settings);
    // What is typed into the box is a search, not a value of the form: the form's listeners
    // (live totals) hear the <select>'s change when a record is picked, not each keystroke.
    ["input", "change"].forEach(function (name) {
      box.control_input.addEventListener(name, function (event) { event.stopPropagation(); });
    });
    box.control_input.addEventListener(
      "keydown",
      function (event) {
        if (event.isComposing || event.keyCode === 229) {
          // A Chinese input method is composing: its Enter, arrows and digits are its own.
          event.stopImmediatePropagation();
          return;
        }
        if (event.key !== "Enter") {
          return;
        }
        var query = box.inputValue().trim();
        if (query && (query !== shownQuery || box.loading)) {
          event.preventDefault();
          event.stopImmediatePropagation();
          pendingEnter = query;
          if (!box.loading) {
            delete box.loadedSearches[query];
            box.load(query);
          }
        }
      },
      true
    );
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function initPickers(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    if (root.matches && root.matches("select[data-picker]")) {
      initPicker(root);
    }
    root.querySelectorAll("select[data-picker]").forEach(initPicker);
  }
  document.addEventListener("DOMContentLoaded", function () { initPickers(document); });
  document.addEventListener("htmx:load", function (event) { initPickers(event.target); });
  // A box whose <select> htmx takes away goes with it.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var select = event.target;
    if (select && select.tomselect) {
      select.tomselect.destroy();
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
