/* Condition rows in the admin (``ConditionRowsWidget``): "Add a row" appends a blank copy of
   the last row, renumbering names and accessible labels, and bumps the row count; each value
   box points at the picker list (datalist) of its row's field. A static file, not an inline
   script, so the Content-Security-Policy needs no exception. */
(function () {
  function pointValues(name, row) {
    var select = row.querySelector("select[data-kd-part=field]");
    var input = row.querySelector("input[data-kd-part=value]");
    if (!select || !input) { return; }
    function point() {
      if (select.value) { input.setAttribute("list", "id_" + name + "_values_" + select.value); }
      else { input.removeAttribute("list"); }
    }
    select.addEventListener("change", point);
    point();
  }
  function wire() {
    document.querySelectorAll("button[data-kd-add-row]").forEach(function (button) {
      var name = button.getAttribute("data-kd-add-row");
      var table = document.getElementById("id_" + name);
      var count = document.querySelector('input[name="' + name + '-count"]');
      if (!table || !count) { return; }
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) { pointValues(name, row); });
      button.addEventListener("click", function () {
        var rows = table.tBodies[0].rows, index = rows.length;
        var row = rows[index - 1].cloneNode(true);
        row.querySelectorAll("select, input").forEach(function (el) {
          el.name = el.name.replace(/-\d+-/, "-" + index + "-");
          var label = el.getAttribute("aria-label");
          if (label) { el.setAttribute("aria-label", label.replace(/\d+/, String(index + 1))); }
          if (el.tagName === "INPUT") { el.value = ""; } else { el.selectedIndex = 0; }
        });
        table.tBodies[0].appendChild(row);
        pointValues(name, row);
        count.value = index + 1;
      });
    });
  }
  // Form media load in the page head, before the form exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
