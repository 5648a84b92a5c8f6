// Scans that wait for the network. A scan form (a form with hx-post holding the page's
// [data-scan-field]) does not send through htmx directly: each scan joins this page's queue, is
// kept in localStorage (per user and page) until its answer arrives, and is sent in order, one at
// a time, with an Idempotency-Key of its own. The field is emptied at once, ready for the next
// code (a scanner may type it before the last answer arrives).
//
// When the network fails (offline, the request or its answer lost, a gateway error) the scan stays
// first in the queue and a badge says how many wait; the queue is sent again when the browser is
// back online and on a timer. Sent again with the same key, a scan the server already applied is
// answered with its first answer (core.idempotency.idempotent_post), never applied twice. An
// answer of the server that refuses the scan (4xx) is shown, and the scan leaves the queue.
(function () {
  "use strict";

  var STORE = "tandem.scans:";
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 30000;
  var queue = [];
  var sending = false;
  var failing = false;
  var stopped = false; // signed out: the scans wait for the next visit of the page
  var retryMs = RETRY_FIRST_MS;
  var timer = null;

  function box() {
    return document.getElementById("scan-queue");
  }

  function storeKey() {
    var owner = box() ? box().getAttribute("data-owner") : "";
    return STORE + owner + ":" + window.location.pathname;
  }

  function load() {
    try {
      queue = JSON.parse(window.localStorage.getItem(storeKey()) || "[]");
    } catch (e) {
      queue = [];
    }
    if (!Array.isArray(queue)) {
      queue = [];
    }
  }

  function save() {
    try {
      if (queue.length) {
        window.localStorage.setItem(storeKey(), JSON.stringify(queue));
      } else {
        window.localStorage.removeItem(storeKey());
      }
    } catch (e) {
      // Storage full or refused: the queue still lives in the page.
    }
  }

  // A key from crypto.getRandomValues: randomUUID needs a secure context, and tablets on an
  // intranet often reach the server over plain HTTP.
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function scanForm(elt) {
    if (!elt || !elt.matches || !elt.matches("form[hx-post], form[data-hx-post]")) {
      return null;
    }
    return elt.querySelector("[data-scan-field]") ? elt : null;
  }

  // --- what the picker sees -------------------------------------------------------------------

  function place() {
    var el = box();
    var field = document.querySelector("[data-scan-field]");
    var form = field && scanForm(field.closest("form"));
    if (el && form && el.previousElementSibling !== form) {
      form.after(el);
    }
  }

  function render() {
    var el = box();
    if (!el) {
      return;
    }
    place();
    var count = el.querySelector("[data-scan-queue-count]");
    var waiting = queue.length > 0 && (failing || stopped || navigator.onLine === false);
    if (waiting) {
      var text = stopped ? el.getAttribute("data-signed-out") : "";
      if (!stopped) {
        text = queue.length === 1 ? el.getAttribute("data-one") : el.getAttribute("data-many").replace("{n}", queue.length);
      }
      count.textContent = text;
    }
    count.hidden = !waiting;
    el.hidden = !waiting && !el.querySelector("[data-scan-queue-refused] li");
  }

  function refused(item, reason) {
    var el = box();
    if (!el) {
      return;
    }
    var line = document.createElement("li");
    line.textContent = el.getAttribute("data-refused").replace("{code}", item.code || "").replace("{reason}", reason);
    el.querySelector("[data-scan-queue-refused]").appendChild(line);
    el.hidden = false;
  }

  // The reason a refusing answer gives: its text, or the heading and message of an error page.
  function reasonOf(response, text) {
    var type = response.headers.get("Content-Type") || "";
    var reason = text;
    if (type.indexOf("html") >= 0) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var part = doc.querySelector("main .alert, main h1, main p, h1, p");
      reason = part ? part.textContent : doc.body.textContent;
    } else if (type.indexOf("json") >= 0) {
      try {
        var data = JSON.parse(text);
        reason = data.detail || JSON.stringify(data);
      } catch (e) {
        reason = text;
      }
    }
    reason = (reason || "").replace(/\s+/g, " ").trim().slice(0, 200);
    return reason || String(response.status);
  }

  // --- sending --------------------------------------------------------------------------------

  function retryable(response) {
    var status = response.status;
    return status === 0 || status === 408 || status === 429 || status === 502 || status === 503 ||
      status === 504 || (status === 409 && response.headers.has("Retry-After"));
  }

  function later() {
    failing = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(pump, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    render();
  }

  function swapAnswer(item, text, response) {
    var target = (item.target && document.querySelector(item.target)) || document.querySelector("form [data-scan-field]");
    if (!target || !window.htmx) {
      return;
    }
    window.htmx.swap(target, text, { swapStyle: item.swap, swapDelay: 0, settleDelay: 0 });
    // A scan refused in its answer (shown in place) is noted too while more scans follow it, so
    // their answers do not hide it.
    var bad = response.headers.get("X-Scan-Result") === "error" ||
      /data-ok="0"|scan-error/.test(text);
    if (bad && queue.length) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var status = doc.querySelector("[role=status]");
      refused(item, (status ? status.textContent : "").replace(/\s+/g, " ").trim());
    }
  }

  function pump() {
    window.clearTimeout(timer);
    if (sending || stopped || !queue.length) {
      render();
      return;
    }
    if (navigator.onLine === false) {
      failing = true;
      render();
      return; // the online event sends them
    }
    sending = true;
    var item = queue[0];
    var body = new URLSearchParams();
    item.fields.forEach(function (field) {
      body.append(field[0], field[1]);
    });
    var headers = {
      "Idempotency-Key": item.key,
      "X-CSRFToken": csrfToken(),
      "HX-Request": "true",
      "HX-Current-URL": window.location.href,
    };
    if (item.target && item.target.charAt(0) === "#") {
      headers["HX-Target"] = item.target.slice(1);
    }
    window.fetch(item.url, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) {
          return { response: response, text: text };
        });
      })
      .then(function (answer) {
        sending = false;
        var response = answer.response;
        if (retryable(response)) {
          later();
          return;
        }
        if (response.redirected) {
          stopped = true; // to the login page: the session ended
          render();
          return;
        }
        queue.shift();
        save();
        failing = false;
        retryMs = RETRY_FIRST_MS;
        if (response.ok) {
          swapAnswer(item, answer.text, response);
        } else {
          refused(item, reasonOf(response, answer.text));
        }
        pump();
      }, function () {
        sending = false;
        later();
      });
  }

  // htmx gathers the form's fields; the queue sends them.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = scanForm(event.detail.elt);
    if (!form) {
      return;
    }
    event.preventDefault();
    var field = form.querySelector("[data-scan-field]");
    var fields = [];
    event.detail.formData.forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") {
        fields.push([name, value]);
      }
    });
    queue.push({
      key: newKey(),
      url: event.detail.path,
      fields: fields,
      code: field.value,
      target: form.getAttribute("hx-target") || form.getAttribute("data-hx-target") || "",
      swap: ((form.getAttribute("hx-swap") || form.getAttribute("data-hx-swap") || "innerHTML").split(" ")[0]),
    });
    field.value = "";
    save();
    pump();
  });

  window.addEventListener("online", function () {
    retryMs = RETRY_FIRST_MS;
    pump();
  });
  window.addEventListener("offline", render);
  // Another tab of the same page may have sent what this one keeps.
  window.addEventListener("storage", function (event) {
    if (event.key === storeKey() && !sending) {
      load();
      render();
    }
  });

  function start() {
    if (!box()) {
      return;
    }
    load();
    pump();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
