/* Console forms whose parameters depend on a kind (a rule's trigger, a target's kind): a
   fieldset with the classes ``kd-kind-params``, ``kd-kind-of-<field>`` and one ``kd-kind-<key>``
   per kind that uses it is shown only while the select ``id_<field>`` holds one of those kinds.
   A static file, not an inline script, so the Content-Security-Policy needs no exception. */
(function () {
  function wire() {
    document.querySelectorAll("fieldset.kd-kind-params").forEach(function (fieldset) {
      var of = Array.prototype.find.call(fieldset.classList, function (name) {
        return name.indexOf("kd-kind-of-") === 0;
      });
      var select = of && document.getElementById("id_" + of.slice("kd-kind-of-".length));
      if (!select) { return; }
      function show() { fieldset.hidden = !fieldset.classList.contains("kd-kind-" + select.value); }
      select.addEventListener("change", show);
      show();
    });
  }
  // Form media load in the page head, before the form exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
