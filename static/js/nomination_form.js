// 自荐表: add formset rows, fill birth date and gender from the ID number, and ask the server to
// check the basic conditions while the form is being filled.
(function () {
  "use strict";
  var form = document.getElementById("nomination-form");
  if (!form) return;

  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var card = button.closest("[data-formset]");
      var prefix = card.getAttribute("data-formset");
      var total = card.querySelector("#id_" + prefix + "-TOTAL_FORMS");
      var max = card.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
      var n = parseInt(total.value, 10);
      if (max && n >= parseInt(max.value, 10)) return;
      var html = card.querySelector("template[data-empty-row]").innerHTML.replace(/__prefix__/g, String(n));
      card.querySelector("[data-rows]").insertAdjacentHTML("beforeend", html);
      total.value = String(n + 1);
    });
  });

  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";
  function normalise(raw) {
    return raw.replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/[ｘＸx]/g, "X").replace(/\s+/g, "");
  }
  var idField = document.getElementById("id_id_number");
  if (idField) {
    idField.addEventListener("change", function () {
      var v = normalise(idField.value);
      idField.value = v;
      if (!/^\d{17}[\dX]$/.test(v)) return;
      var sum = 0;
      for (var i = 0; i < 17; i++) sum += parseInt(v[i], 10) * WEIGHTS[i];
      if (CHECK[sum % 11] !== v[17]) return;  // the server explains the error on save
      var birth = document.getElementById("id_birth_date");
      var gender = document.getElementById("id_gender");
      if (birth && !birth.value) birth.value = v.slice(6, 10) + "-" + v.slice(10, 12) + "-" + v.slice(12, 14);
      if (gender && !gender.value) gender.value = parseInt(v[16], 10) % 2 === 1 ? "M" : "F";
    });
  }

  var slot = document.getElementById("eligibility-slot");
  var mini = document.getElementById("eligibility-mini");
  if (mini) document.body.classList.add("has-mini-bar");
  // On a phone the panel is far from the field being typed: a bar at the bottom repeats its verdict.
  function updateMini() {
    var panel = document.getElementById("eligibility-panel");
    if (!mini || !panel) return;
    var ok = panel.getAttribute("data-eligible") === "yes";
    var failed = Array.prototype.map.call(panel.querySelectorAll("[data-outcome=fail] strong"),
      function (el) { return el.textContent.replace(/^\s*✗\s*/, ""); });
    mini.textContent = ok ? mini.getAttribute("data-ok") : mini.getAttribute("data-fail") + failed.join("、");
    mini.className = "text-decoration-none small fw-semibold " + (ok ? "rule-pass" : "rule-fail");
  }
  var url = form.getAttribute("data-check-url");
  var timer = null;
  function check() {
    var data = new FormData(form);
    data.delete("id_card_copy");
    fetch(url, { method: "POST", body: data, credentials: "same-origin",
                 headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) { slot.innerHTML = html; updateMini(); } })
      .catch(function () { /* the check runs again on save */ });
  }
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
  if (idField && idField.value) check();
})();
