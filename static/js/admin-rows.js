/* Condition rows in the admin (``ConditionRowsWidget``): "Add a row" appends a blank copy of
   the last row and bumps the row count; names stay ``<name>-<i>-<part>``. A static file, not an
   inline script, so the Content-Security-Policy needs no exception. */
(function () {
  function wire() {
    document.querySelectorAll("button[data-kd-add-row]").forEach(function (button) {
      var name = button.getAttribute("data-kd-add-row");
      var table = document.getElementById("id_" + name);
      var count = document.querySelector('input[name="' + name + '-count"]');
      if (!table || !count) { return; }
      button.addEventListener("click", function () {
        var rows = table.tBodies[0].rows, index = rows.length;
        var row = rows[index - 1].cloneNode(true);
        row.querySelectorAll("select, input").forEach(function (el) {
          el.name = el.name.replace(/-\d+-/, "-" + index + "-");
          if (el.tagName === "INPUT") { el.value = ""; } else { el.selectedIndex = 0; }
        });
        table.tBodies[0].appendChild(row);
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
