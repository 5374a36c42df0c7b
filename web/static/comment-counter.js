// Live character counter for the comment box. Optional: without JavaScript the
// page shows the limit as text and the browser enforces maxlength.
(function () {
  var box = document.getElementById("comment");
  var counter = document.getElementById("comment-count");
  if (!box || !counter || !counter.dataset.counter) return;
  var template = counter.dataset.counter;
  function update() {
    // value.length counts UTF-16 units, as maxlength does, so the counter stops where typing stops.
    counter.textContent = template.replace("{count}", box.value.length);
  }
  box.addEventListener("input", update);
  update();
})();
