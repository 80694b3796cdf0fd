// The car diagram of the walk-around sheet: tap (or Enter/Space on) a zone to choose it for a damage mark.
(function () {
  var form = document.getElementById("damage-form");
  if (!form) return;
  var input = form.querySelector('input[name="zone"]');
  var shown = form.querySelector("[data-chosen-zone]");
  document.querySelectorAll(".car-diagram .zone").forEach(function (zone) {
    function choose() {
      document.querySelectorAll(".car-diagram .zone.selected").forEach(function (z) { z.classList.remove("selected"); });
      zone.classList.add("selected");
      input.value = zone.dataset.zone;
      shown.textContent = zone.dataset.label;
    }
    zone.addEventListener("click", choose);
    zone.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); } });
  });
})();
