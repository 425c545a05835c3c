// The query editor: YASGUI posting to our own endpoint, with the competency questions
// as examples that open in their own tab.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  var byId = {};
  config.questions.forEach(function (q) {
    byId[q.id] = q;
  });
  var first = config.questions[0];
  var starter =
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" +
    "SELECT ?thing ?label WHERE {\n  ?thing skos:prefLabel ?label .\n} LIMIT 20\n";

  // Keep no tabs between visits: the examples are the starting point each time.
  Yasgui.defaults.persistenceId = null;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    yasqe: { value: first ? first.query : starter },
  });
  var tab = yasgui.getTab();
  if (tab && first) {
    tab.setQuery(first.query);
    tab.setName(first.id);
  }

  document.querySelectorAll("[data-question]").forEach(function (button) {
    button.addEventListener("click", function () {
      var q = byId[button.dataset.question];
      var opened = yasgui.addTab(true, {
        name: q.id,
        yasqe: { value: q.query },
        requestConfig: { endpoint: config.endpoint, method: "POST" },
      });
      var current = yasgui.getTab(opened) || yasgui.getTab();
      current.setQuery(q.query);
    });
  });
  window.nzsaYasgui = yasgui;
})();
