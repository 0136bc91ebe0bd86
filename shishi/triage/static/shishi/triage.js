/* The intake queue: a "select every appeal on this page" box. Without
   JavaScript it stays hidden and each appeal is ticked on its own. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form;
    var name = all.getAttribute("data-select-all");
    var boxes = function () {
      return form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    };
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) {
        box.checked = all.checked;
      });
    });
    form.addEventListener("change", function (event) {
      if (event.target.name !== name) return;
      var list = Array.prototype.slice.call(boxes());
      var ticked = list.filter(function (box) { return box.checked; }).length;
      all.checked = ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    });
  });
});
