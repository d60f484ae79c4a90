// Light enhancements only: every page works without JavaScript.
(function () {
  "use strict";
  // Client-side sorting of tables with class "sortable" (server-side links remain the fallback).
  document.querySelectorAll("table.sortable thead th a").forEach(function (link) {
    link.addEventListener("click", function (ev) {
      var th = link.parentElement, table = th.closest("table"), idx = Array.prototype.indexOf.call(th.parentElement.children, th);
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      if (rows.length < 2) return;
      ev.preventDefault();
      var asc = th.getAttribute("aria-sort") !== "ascending";
      th.parentElement.querySelectorAll("th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      function val(row) {
        var cell = row.cells[idx]; if (!cell) return "";
        var v = cell.getAttribute("data-v"); if (v !== null) return parseFloat(v);
        var t = cell.textContent.trim(), n = parseFloat(t.replace(/[\s\u00a0\u202f]/g, "").replace(",", "."));
        return isNaN(n) ? t.toLowerCase() : n;
      }
      rows.sort(function (a, b) { var x = val(a), y = val(b); return (x > y ? 1 : x < y ? -1 : 0) * (asc ? 1 : -1); });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  // Filter forms: submit on change of a select.
  document.querySelectorAll("form.filters select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
})();
