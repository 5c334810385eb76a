// A department answering many items: one click marks every item "无此情形" (each can still be changed).
(function () {
  "use strict";
  var button = document.getElementById("mark-all-clear");
  if (!button) return;
  button.addEventListener("click", function () {
    document.querySelectorAll('input[type=radio][value="clear"]').forEach(function (radio) { radio.checked = true; });
  });
})();
