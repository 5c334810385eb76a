// 发布公示: show the 公示 period for the chosen start date — or, for a paper notice posted before it was entered,
// for its posting date — as the server counts it (working or calendar days, the round says which; the server
// also says when a date breaks a rule). The form's data-confirm is asked by app.js.
(function () {
  "use strict";
  var form = document.getElementById("notice-form");
  if (!form) return;
  var slot = document.getElementById("period-slot");
  var start = form.querySelector("[name=start_date]");
  var postedFirst = form.querySelector("[name=posted_first]");
  var postedOn = form.querySelector("[name=posted_on]");
  var url = form.getAttribute("data-period-url");
  var round = form.getAttribute("data-round");
  var timer = null;
  var seq = 0;

  function posted() {
    return !!(postedFirst && postedFirst.checked);
  }

  function refresh() {
    if (!slot || !start) return;
    var mine = ++seq;
    var day = posted() ? (postedOn ? postedOn.value : "") : start.value;
    var query = "?round=" + encodeURIComponent(round) + "&start=" + encodeURIComponent(day || "") +
      (posted() ? "&posted=1" : "");
    fetch(url + query, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && mine === seq) slot.innerHTML = html; })
      .catch(function () { /* the period is shown again by the server after submitting */ });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  [start, postedOn].forEach(function (input) {
    if (!input) return;
    ["change", "input"].forEach(function (name) { input.addEventListener(name, schedule); });
  });
  if (postedFirst) postedFirst.addEventListener("change", refresh);
})();
