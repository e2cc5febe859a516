/* Sortable tables: a button in each sortable header; cells give their sort key in data-value. */
(function () {
  "use strict";
  function key(cell) {
    var raw = cell.getAttribute("data-value");
    if (raw === null) raw = cell.textContent.trim();
    var n = parseFloat(raw);
    return raw === "" ? null : (isNaN(n) ? raw.toLowerCase() : n);
  }
  document.querySelectorAll("table.profile-table").forEach(function (table) {
    var headers = table.querySelectorAll("th[data-sortable]");
    headers.forEach(function (th, index) {
      var column = Array.prototype.indexOf.call(th.parentNode.children, th);
      th.querySelector("button").addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column]), y = key(b.cells[column]);
          if (x === y) return 0;
          if (x === null) return 1;   // empty cells last, whatever the direction
          if (y === null) return -1;
          return (x < y ? -1 : 1) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
