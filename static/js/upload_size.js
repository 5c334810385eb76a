// Every file input that carries the upload limit (reserve.uploads.LimitedFileInput: data-max-bytes, and the
// messages data-msg-too-large and data-msg-shrunk): a file over the limit is named as soon as it is chosen, with
// its real size, rather than after the form is sent. A JPEG or PNG photo over it is drawn smaller (canvas, JPEG)
// and sent within it; anything else over it is taken off the field. The message goes under the field, in the
// element marked data-upload-note="<the input's id>" if the page has one, or in one made after the input.
(function () {
  "use strict";

  // A size as the server's messages give it (reserve.uploads.size_text).
  function mb(n) { return n < 1048576 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1) + " MB"; }

  function noteFor(input) {
    var note = document.querySelector('[data-upload-note="' + input.id + '"]');
    if (!note) {
      note = document.createElement("div");
      note.id = input.id + "-note";
      note.setAttribute("data-upload-note", input.id);
      note.setAttribute("aria-live", "polite");
      note.className = "form-text";
      input.insertAdjacentElement("afterend", note);
    }
    return note;
  }

  function show(input, text, bad) {
    var note = noteFor(input);
    note.textContent = text;
    note.className = "form-text " + (bad ? "rule-fail" : "rule-pass");
    input.classList.toggle("is-invalid", !!bad);
    input.setAttribute("aria-invalid", bad ? "true" : "false");
  }

  // A smaller JPEG of the photo within maxBytes (done(blob)), or done(null) when it cannot be made.
  function shrink(file, maxBytes, done) {
    if (!window.createImageBitmap || !window.DataTransfer) { done(null); return; }
    createImageBitmap(file).then(function (bitmap) {
      var side = 2400;
      function attempt(quality) {
        var scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (blob && blob.size <= maxBytes) { done(blob); return; }
          if (side <= 800) { done(null); return; }
          side = Math.round(side * 0.75);
          attempt(Math.max(0.6, quality - 0.1));
        }, "image/jpeg", quality);
      }
      attempt(0.85);
    }).catch(function () { done(null); });
  }

  function check(input) {
    var maxBytes = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    var file = input.files && input.files[0];
    show(input, "", false);
    if (!file || !maxBytes || file.size <= maxBytes) return;
    var tooLarge = (input.getAttribute("data-msg-too-large") || "").replace("%s", mb(file.size));
    if (!/^image\/(jpeg|png)$/.test(file.type)) { input.value = ""; show(input, tooLarge, true); return; }
    shrink(file, maxBytes, function (blob) {
      if (!blob) { input.value = ""; show(input, tooLarge, true); return; }
      var smaller = new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
      var list = new DataTransfer();
      list.items.add(smaller);
      input.files = list.files;
      show(input, (input.getAttribute("data-msg-shrunk") || "").replace("%s", mb(smaller.size)), false);
    });
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () { check(input); });
  });
})();
