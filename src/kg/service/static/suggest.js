// Autocomplete for saved-query forms: fills each entity field's <datalist> with names
// from /search/suggest as the reader types. The form works without it: the server
// resolves a typed name to the entity, or lists the candidates.
"use strict";
document.querySelectorAll("input.pick[data-suggest]").forEach(function (input) {
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (!text || !list) { return; }
    timer = setTimeout(function () {
      var url = new URL(input.dataset.suggest, document.baseURI);
      url.searchParams.set("q", text);
      var type = (input.dataset.type || "").split(" ")[0];
      if (type) { url.searchParams.set("type", type); }
      fetch(url, {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          list.replaceChildren();
          items.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.label;
            option.label = item.other ? item.other : item.kind;
            list.appendChild(option);
          });
        })
        .catch(function () { list.replaceChildren(); });
    }, 150);
  });
});
