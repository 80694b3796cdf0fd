// Wires every .signature block: draw with signature_pad, then store the PNG and keep its SHA-256.
(function () {
  function csrfToken(form) {
    var input = form && form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }
  function fit(canvas, pad) {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
  }
  document.querySelectorAll(".signature").forEach(function (block) {
    var canvas = block.querySelector("canvas");
    var pad = new SignaturePad(canvas, { penColor: "#10243a" });
    var hidden = block.querySelector('input[type="hidden"]');
    var captured = block.querySelector(".captured");
    var error = block.querySelector(".field-error");
    fit(canvas, pad);
    block.querySelector('[data-action="clear"]').addEventListener("click", function () {
      pad.clear(); hidden.value = ""; captured.hidden = true;
    });
    block.querySelector('[data-action="capture"]').addEventListener("click", function () {
      if (pad.isEmpty()) { error.textContent = error.dataset.empty; return; }
      var form = block.closest("form");
      fetch("/api/signatures", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken(form) },
        body: JSON.stringify({
          image: pad.toDataURL("image/png"),
          order_id: block.dataset.orderId || null,
          amendment_id: block.dataset.amendmentId || null
        })
      }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (answer) {
          if (!answer.ok) { error.textContent = answer.body.error.message; return; }
          hidden.value = answer.body.sha256;
          captured.querySelector("code").textContent = answer.body.sha256.slice(0, 16) + "…";
          captured.hidden = false; error.textContent = "";
        });
    });
  });
})();
