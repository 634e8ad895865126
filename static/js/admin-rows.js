/* Condition rows in the console (``ConditionRowsWidget``, a Django formset): "Add a row" copies
   the formset's blank row from its <template>, numbering names, ids and accessible labels, and
   raises the management form's TOTAL_FORMS; a ticked "Remove" box greys its row out (the row is
   dropped when the form is saved). Each value box points at the picker list (datalist) of its
   row's field. A static file, not an inline script, so the Content-Security-Policy needs no
   exception. */
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
  function markRemoved(row) {
    var box = row.querySelector("input[data-kd-part=remove]");
    if (!box) { return; }
    function mark() { row.classList.toggle("kd-row-removed", box.checked); }
    box.addEventListener("change", mark);
    mark();
  }
  function wireRow(name, row) {
    pointValues(name, row);
    markRemoved(row);
  }
  function wire() {
    document.querySelectorAll("button[data-kd-add-row]").forEach(function (button) {
      var name = button.getAttribute("data-kd-add-row");
      var table = document.getElementById("id_" + name);
      var blank = document.getElementById("id_" + name + "_empty");
      var total = document.querySelector('input[name="' + name + '-TOTAL_FORMS"]');
      var most = document.querySelector('input[name="' + name + '-MAX_NUM_FORMS"]');
      if (!table || !blank || !total) { return; }
      var body = table.tBodies[0];
      Array.prototype.forEach.call(body.rows, function (row) { wireRow(name, row); });
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10) || 0;
        if (most && index >= parseInt(most.value, 10)) { return; }
        var html = blank.innerHTML.replace(/__prefix__/g, String(index))
          .replace(/__num__/g, String(index + 1));
        body.insertAdjacentHTML("beforeend", html);
        wireRow(name, body.rows[body.rows.length - 1]);
        total.value = index + 1;
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
