// Progressive enhancement for officer pages: confirm dangerous outcomes in the browser.
// Without JavaScript the server asks for the same confirmation on its own page.
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
