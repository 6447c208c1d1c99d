// Progressive enhancement for officer pages. Without JavaScript every page still works:
// the server asks for confirmations itself and the worklist filters stay open.

// On a phone the worklist's filters fold away (unless in use), so the tasks come first.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("details.filter-box");
  if (box && !box.dataset.active && window.matchMedia("(max-width: 760px)").matches) {
    box.open = false;
  }
});

// Refuse, reject and send-back outcomes are confirmed in the browser.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-confirm]");
  if (!button || !button.form) return;
  if (!window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
    return;
  }
  var confirmed = document.createElement("input");
  confirmed.type = "hidden";
  confirmed.name = "confirmed";
  confirmed.value = button.value;
  button.form.appendChild(confirmed);
});

// Print buttons: a handler here, not onclick="...": the pages' content security policy runs
// no inline script.
document.addEventListener("click", function (event) {
  if (event.target.closest("button[data-action='print']")) window.print();
});
