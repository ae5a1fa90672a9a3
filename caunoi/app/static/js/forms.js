// Forms marked data-omit-empty send only the fields that hold something, so a search is a short
// link: /search?q=doi+ngoai, not /search?q=doi+ngoai&lang=&source=&… (the server reads a field left
// out as an empty one). A static file: the Content-Security-Policy forbids inline script.
(function () {
  "use strict";
  var OMITTED = "data-omitted";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-omit-empty")) return;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !field.disabled && field.value === "" && field.type !== "submit") {
        field.disabled = true; // a disabled field is not sent
        field.setAttribute(OMITTED, "");
      }
    });
  });
  // back to the page (the browser may restore it as it was on leaving): the fields work again
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[" + OMITTED + "]").forEach(function (field) {
      field.disabled = false;
      field.removeAttribute(OMITTED);
    });
  });
})();
