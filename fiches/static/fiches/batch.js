/* Progress of a batch print: polls the small JSON endpoint until the files are ready. */
(function () {
  "use strict";
  var box = document.getElementById("batch");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  function show(s) {
    document.getElementById("batch-progress").value = s.percent;
    document.getElementById("batch-label").textContent = s.label + " — " + s.done + " / " + s.total;
    if (s.pdf) {
      document.getElementById("batch-pdf").href = s.pdf;
      document.getElementById("batch-zip").href = s.zip;
      document.getElementById("batch-links").hidden = false;
    }
    if (s.error) {
      var e = document.getElementById("batch-error");
      e.textContent = s.error;
      e.hidden = false;
    }
    return s.status === "succeeded" || s.status === "failed";
  }
  function poll() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
      if (!show(s)) setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
