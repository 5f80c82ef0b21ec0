// The interactive graph view (cytoscape.js, vendored): draws the JSON of
// /graph/neighbourhood or /graph/path into #graph-view. A click on a node shows it in
// the side panel and adds its neighbours; a double-click opens its page. The list
// beside it (server-rendered) is the same content for readers without JavaScript.
"use strict";
(function () {
  var view = document.getElementById("graph-view");
  if (!view || typeof cytoscape !== "function") { return; }
  var panel = document.getElementById("graph-panel");
  var palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                 "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
  var colours = {};
  var expanded = {};

  var kindLabels = {};
  var kindLangs = {};

  function marked(element, lang) {
    // a name from the data carries its language; an IRI shown as such is marked as one
    if (lang) { element.lang = lang; } else { element.classList.add("iri"); }
    return element;
  }
  var legend = document.createElement("p");
  legend.className = "graph-legend muted";
  view.insertAdjacentElement("beforebegin", legend);

  function colour(kind) {
    if (!(kind in colours)) {
      colours[kind] = palette[Object.keys(colours).length % palette.length];
    }
    return colours[kind];
  }

  function drawLegend() {
    // colours set through the CSSOM (element.style), which the CSP allows
    legend.replaceChildren();
    Object.keys(colours).forEach(function (kind) {
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = colours[kind];
      var name = marked(document.createElement("span"), kindLangs[kind]);
      name.textContent = kindLabels[kind] || kind || "?";
      legend.append(swatch, name, " ");
    });
  }

  function elements(data) {
    var items = [];
    data.nodes.forEach(function (n) {
      kindLabels[n.kind] = n.kind_label;
      kindLangs[n.kind] = n.kind_lang;
      items.push({group: "nodes", data: {id: n.id, label: n.label, lang: n.lang, kind: n.kind,
        kindLabel: n.kind_label, kindLang: n.kind_lang, url: n.url, claim: n.claim, colour: colour(n.kind)}});
    });
    data.edges.forEach(function (e) {
      items.push({group: "edges", data: {id: e.source + " " + e.predicate + " " + e.target,
        source: e.source, target: e.target, label: e.label}});
    });
    return items;
  }

  function load(url) {
    return fetch(new URL(url, document.baseURI), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(r.status)); });
  }

  // cytoscape.js adds an inline <style> (its container's position: relative) unless an
  // element with this id exists; the Content-Security-Policy refuses inline styles, and
  // kg.css already gives .graph-view that position.
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    var marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }
  view.hidden = false;
  var cy = cytoscape({
    container: view,
    maxZoom: 1.6,  // a small graph is fitted, not blown up
    minZoom: 0.2,
    style: [
      {selector: "node", style: {"label": "data(label)", "background-color": "data(colour)",
        "font-size": 10, "width": 22, "height": 22, "text-valign": "bottom",
        "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 120}},
      {selector: "node[?claim]", style: {"width": 10, "height": 10, "font-size": 7,
        "shape": "diamond"}},
      {selector: "node:selected", style: {"border-width": 3, "border-color": "#333"}},
      {selector: "edge", style: {"label": "data(label)", "font-size": 7, "width": 1,
        "line-color": "#bbc", "target-arrow-color": "#bbc", "target-arrow-shape": "triangle",
        "curve-style": "bezier", "text-rotation": "autorotate", "color": "#556"}}
    ]
  });
  view.kgGraph = cy;  // for the browser tests and the console

  function add(data) {
    var fresh = elements(data).filter(function (item) {
      return cy.getElementById(item.data.id).empty();
    });
    drawLegend();
    cy.add(fresh.filter(function (i) { return i.group === "nodes"; }));
    cy.add(fresh.filter(function (i) {
      return i.group === "edges" && !cy.getElementById(i.data.source).empty() &&
        !cy.getElementById(i.data.target).empty();
    }));
    // rings by degree: the entity (and every expanded node) in the middle, leaves around
    cy.layout({name: "concentric", animate: false, minNodeSpacing: 50, padding: 16,
      concentric: function (node) { return node.degree(); },
      levelWidth: function () { return 2; }}).run();
  }

  function show(node) {
    if (!panel) { return; }
    var name = marked(document.createElement("strong"), node.data("lang"));
    name.textContent = node.data("label");
    var kind = marked(document.createElement("span"), node.data("kindLang"));
    kind.classList.add("badge");
    kind.textContent = node.data("kindLabel") || "";
    var open = document.createElement("a");
    open.href = node.data("url");
    open.textContent = view.dataset.open || "→";
    panel.replaceChildren(name, " ", kind, " ", open);
    panel.hidden = false;
  }

  load(view.dataset.src).then(function (data) {
    add(data);
    if (data.iri) { expanded[data.iri] = true; }
  }).catch(function () { view.hidden = true; });

  cy.on("tap", "node", function (event) {
    var node = event.target;
    show(node);
    if (expanded[node.id()]) { return; }
    expanded[node.id()] = true;
    load(view.dataset.expand + encodeURIComponent(node.id())).then(add)
      .catch(function () { delete expanded[node.id()]; });
  });
  cy.on("dbltap", "node", function (event) {
    window.location.href = event.target.data("url");
  });
}());
