// Live progress of a bulk award: polls the progress JSON while the upload is processed and
// updates the progress bar and counters. Without JavaScript the page shows a refresh link.
(function () {
  "use strict";
  var section = document.getElementById("bulk-progress");
  if (!section || !section.dataset.running || !window.fetch) {
    return;
  }
  var url = section.dataset.progressUrl;
  var bar = document.getElementById("bulk-progress-bar");
  var delay = 1500;

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    section.querySelectorAll("[data-field]").forEach(function (element) {
      var value = data[element.dataset.field];
      if (value !== undefined && String(value) !== element.textContent) {
        element.textContent = value;
      }
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          var link = section.querySelector(".js-refresh");
          if (link) {
            link.hidden = false;
          }
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
