// A button with data-action="print" prints the page (no inline handler: the Content-Security-Policy allows none).
(function () {
  document.querySelectorAll('[data-action="print"]').forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
