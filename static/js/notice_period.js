// 发布公示: show the 公示 period for the chosen start date (counted in working days on the server),
// and ask for confirmation before publishing, which cannot be undone.
(function () {
  "use strict";
  var form = document.getElementById("notice-form");
  if (!form) return;
  var slot = document.getElementById("period-slot");
  var start = form.querySelector("[name=start_date]");
  var url = form.getAttribute("data-period-url");
  var round = form.getAttribute("data-round");
  var timer = null;
  var seq = 0;

  function refresh() {
    if (!slot || !start) return;
    var mine = ++seq;
    var query = "?round=" + encodeURIComponent(round) + "&start=" + encodeURIComponent(start.value || "");
    fetch(url + query, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && mine === seq) slot.innerHTML = html; })
      .catch(function () { /* the period is shown again by the server after submitting */ });
  }

  if (start) {
    ["change", "input"].forEach(function (name) {
      start.addEventListener(name, function () {
        clearTimeout(timer);
        timer = setTimeout(refresh, 250);
      });
    });
  }

  // The form's data-confirm is asked by app.js.
})();
