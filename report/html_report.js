(function () {
  'use strict';
  var table = document.getElementById('findings');
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
  var severity = document.getElementById('f-severity');
  var host = document.getElementById('f-host');
  var analyzer = document.getElementById('f-analyzer');
  var search = document.getElementById('f-search');
  var count = document.getElementById('f-count');
  function apply() {
    var s = severity.value, h = host.value, a = analyzer.value;
    var q = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (r) {
      var ok = (!s || r.getAttribute('data-severity') === s) &&
        (!h || r.getAttribute('data-host') === h) &&
        (!a || r.getAttribute('data-analyzer') === a) &&
        (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = shown + ' of ' + rows.length + ' findings shown';
  }
  [severity, host, analyzer].forEach(function (el) { el.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  apply();
}());
