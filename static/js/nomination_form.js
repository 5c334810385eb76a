// 自荐表: add formset rows, check the ID number as it is typed (GB 11643 checksum) and fill birth date and
// gender from it, keep or replace an ID-card copy the server kept from an earlier try, and ask the server to
// check the basic conditions while the form is being filled. (The copy's size: upload_size.js.)
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
  function msg(name) { return form.getAttribute("data-msg-" + name) || ""; }
  // What is wrong with a number (the same checks, in the same words, as reserve.idnumber.parse), or "".
  function idProblem(v) {
    if (v.length !== 18) return msg("id-length").replace("%n", String(v.length));
    if (!/^\d{17}[\dX]$/.test(v)) return msg("id-chars");
    var y = parseInt(v.slice(6, 10), 10), m = parseInt(v.slice(10, 12), 10), d = parseInt(v.slice(12, 14), 10);
    var day = new Date(y, m - 1, d);
    if (day.getFullYear() !== y || day.getMonth() !== m - 1 || day.getDate() !== d) return msg("id-birth");
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(v[i], 10) * WEIGHTS[i];
    if (CHECK[sum % 11] !== v[17]) return msg("id-checksum");
    return "";
  }
  var idField = document.getElementById("id_id_number");
  var idLive = document.getElementById("id-number-live");
  function showIdCheck(final) {
    var v = normalise(idField.value);
    var problem = v ? idProblem(v) : "";
    // While typing, a number still too short is not yet wrong; once the field is left, it is.
    if (problem && !final && v.length < 18 && /^\d*$/.test(v)) problem = "";
    if (idLive) {
      idLive.textContent = problem || (v.length === 18 ? msg("id-ok") : "");
      idLive.className = "form-text " + (problem ? "rule-fail" : "rule-pass");
    }
    idField.classList.toggle("is-invalid", !!problem);
    idField.setAttribute("aria-invalid", problem ? "true" : "false");
    return problem ? "" : v;
  }
  if (idField) {
    idField.addEventListener("input", function () { showIdCheck(false); });
    idField.addEventListener("change", function () {
      idField.value = normalise(idField.value);
      var v = showIdCheck(true);
      if (!v) return;
      var birth = document.getElementById("id_birth_date");
      var gender = document.getElementById("id_gender");
      if (birth && !birth.value) birth.value = v.slice(6, 10) + "-" + v.slice(10, 12) + "-" + v.slice(12, 14);
      if (gender && !gender.value) gender.value = parseInt(v[16], 10) % 2 === 1 ? "M" : "F";
    });
  }

  // The ID-card copy: a kept one (from a try that had an error elsewhere) is replaced by choosing again. Its size is
  // checked, and a photo over the limit made smaller, by upload_size.js (loaded before this script), which takes a
  // file over the limit off the field: the kept one then stays.
  var fileField = document.getElementById("id_id_card_copy");
  document.querySelectorAll("[data-rechoose]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-rechoose"));
      if (input) { input.focus(); input.click(); }
    });
  });
  if (fileField) {
    fileField.addEventListener("change", function () {
      var pending = document.getElementById("id-card-pending");
      if (fileField.files && fileField.files[0] && pending) pending.remove();  // the new file replaces the kept one
    });
  }

  var slot = document.getElementById("eligibility-slot");
  // On a phone the panel is far from the field being typed: the action bar at the bottom repeats its verdict.
  var mini = document.getElementById("eligibility-verdict");
  function updateMini() {
    var panel = document.getElementById("eligibility-panel");
    if (!mini || !panel) return;
    var ok = panel.getAttribute("data-eligible") === "yes";
    var failed = Array.prototype.map.call(panel.querySelectorAll("[data-outcome=fail] strong"),
      function (el) { return el.textContent.replace(/^\s*✗\s*/, ""); });
    mini.textContent = ok ? mini.getAttribute("data-ok") : mini.getAttribute("data-fail") + failed.join("、");
    mini.className = "d-block d-lg-none text-decoration-none small mb-1 fw-semibold " + (ok ? "rule-pass" : "rule-fail");
  }
  var url = form.getAttribute("data-check-url");
  var timer = null;
  function check() {
    var data = new FormData(form);
    data.delete("id_card_copy");
    data.delete("id_card_pending");
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
