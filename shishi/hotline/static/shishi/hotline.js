/* The hotline page: “Adopt” puts the suggested category into the form's
   category field. The button comes only with the suggestions htmx fetched,
   so without JavaScript there is none (the “Check” button proposes it). */
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-adopt-category]");
  if (!button) return;
  var select = document.getElementById("id_category");
  if (!select) return;
  select.value = button.getAttribute("data-adopt-category");
  select.dispatchEvent(new Event("change", { bubbles: true }));
  button.disabled = true;
});
