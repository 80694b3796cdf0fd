// The technician signs the finished job on the pad (R-WS-6); loaded from a file, as the CSP allows no inline script.
(function () {
  var form = document.getElementById("finish");
  if (!form) return;
  var canvas = form.querySelector("canvas");
  var ratio = Math.max(window.devicePixelRatio || 1, 1);
  canvas.width = canvas.offsetWidth * ratio; canvas.height = canvas.offsetHeight * ratio;
  canvas.getContext("2d").scale(ratio, ratio);
  var pad = new SignaturePad(canvas, { penColor: "#10243a" });
  form.querySelector('[data-action="clear"]').addEventListener("click", function () { pad.clear(); });
  form.addEventListener("submit", function () {
    form.querySelector('input[name="signature"]').value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
