// The SPARQL editor at /sparql: YASGUI (vendored) against this server only.
// - completions come from this endpoint (classes, properties) and the project's prefixes,
//   never from prefix.cc or Linked Open Vocabularies;
// - the result table shows labels for IRIs and links them to this site's pages;
// - the saved questions (/api/queries) are offered as examples;
// - a server error is shown with its line and column, and the line is marked;
// - the server's predeclared prefixes are declared to the editor's syntax check too;
// - its words follow the page's language (YASGUI has no translations of its own: the
//   server sends them, see sparql.EDITOR_MESSAGES and i18n.YASGUI_WORDS).
// - "Chart" draws a numeric column of the results as bars (SVG, no library).
"use strict";

(function () {
  const root = document.getElementById("editor");
  if (!root || !window.Yasgui) return;
  const Yasgui = window.Yasgui;
  const Yasqe = Yasgui.Yasqe;
  const Yasr = Yasgui.Yasr;
  const endpoint = root.dataset.endpoint;
  const site = root.dataset.site;
  const dataBase = root.dataset.dataBase;
  const prefixes = JSON.parse(root.dataset.prefixes);
  const lang = (document.documentElement.lang || "en").startsWith("zh") ? "zh" : "en";
  const messages = JSON.parse(root.dataset.messages);
  const vendorWords = new Map(Object.entries(messages.words || {}));
  const PINYIN = prefixes.hkg + "pinyin";
  const LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  const labels = new Map();

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
  }

  async function select(query) {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json"},
      body: new URLSearchParams({query}).toString(),
    });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return (await response.json()).results.bindings;
  }

  // ------------------------------------------------------------ labels for the table

  function rank(binding) {
    const isPinyin = binding.p.value === PINYIN;
    const tag = (binding.l["xml:lang"] || "").split("-")[0];
    if (lang === "zh") return tag === "zh" ? 3 : isPinyin ? 1 : 2;
    return tag === "en" ? 3 : isPinyin ? 2 : tag === "zh" ? 1 : 0;
  }

  async function loadLabels(results) {
    const wanted = new Set();
    for (const row of results.getBindings() || []) {
      for (const term of Object.values(row)) {
        if (term && term.type === "uri" && !labels.has(term.value)) wanted.add(term.value);
      }
    }
    const iris = [...wanted];
    for (let i = 0; i < iris.length; i += 200) {
      const values = iris.slice(i, i + 200).map((iri) => `<${iri}>`).join(" ");
      const rows = await select(`SELECT ?s ?p ?l WHERE { VALUES ?s { ${values} } ` +
        `VALUES ?p { <${LABEL}> <${PINYIN}> } ?s ?p ?l }`);
      const best = new Map();
      for (const row of rows) {
        const score = rank(row);
        const seen = best.get(row.s.value);
        if (!seen || score > seen.score) best.set(row.s.value, {score, text: row.l.value});
      }
      for (const [iri, found] of best) labels.set(iri, found.text);
      for (const iri of iris.slice(i, i + 200)) if (!labels.has(iri)) labels.set(iri, null);
    }
  }

  function localHref(iri) {
    return iri.startsWith(dataBase) ? site + iri.slice(dataBase.length) : iri;
  }

  function compact(iri, known) {
    let best = null;
    for (const [prefix, namespace] of Object.entries(known || {})) {
      if (iri.startsWith(namespace) && (!best || namespace.length > best[1].length)) {
        best = [prefix, namespace];
      }
    }
    return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
  }

  class LabelledTable extends Yasr.plugins.table {
    async draw(config) {
      try {
        if (this.yasr.results) await loadLabels(this.yasr.results);
      } catch (error) {
        console.warn("labels not loaded:", error);
      }
      return super.draw(config);
    }

    getUriLinkFromBinding(binding, known) {
      const iri = binding.value;
      const label = labels.get(iri);
      const text = label || compact(iri, {...prefixes, ...known});
      return `<a class="iri" href="${escapeHtml(localHref(iri))}" ` +
        `title="${escapeHtml(iri)}">${escapeHtml(text)}</a>`;
    }
  }
  Yasr.registerPlugin("table", LabelledTable);

  // ------------------------------------------------------------ chart of a numeric column

  const SVG = "http://www.w3.org/2000/svg";
  const CHART_ROWS = 60;
  const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

  function svg(name, attributes, text) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function numeric(term) {
    return !!term && term.type !== "uri" && term.type !== "bnode" && NUMBER.test(term.value);
  }

  function termText(term) {
    if (!term) return "";
    if (term.type === "uri") return labels.get(term.value) || compact(term.value, prefixes);
    return term.value;
  }

  class BarChart {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 5;
      this.label = lang === "zh" ? "图表" : "Chart";
      this.column = null;
    }

    numericColumns() {
      const results = this.yasr.results;
      const bindings = (results && results.getBindings && results.getBindings()) || [];
      const variables = (results && results.getVariables && results.getVariables()) || [];
      return variables.filter((v) => bindings.some((b) => numeric(b[v])) &&
                                     bindings.every((b) => !b[v] || numeric(b[v])));
    }

    canHandleResults() {
      return this.numericColumns().length > 0;
    }

    getIcon() {
      const icon = document.createElement("span");
      icon.textContent = "▤";
      icon.setAttribute("aria-hidden", "true");
      return icon;
    }

    async draw() {
      try {
        if (this.yasr.results) await loadLabels(this.yasr.results);
      } catch (error) {
        console.warn("labels not loaded:", error);
      }
      const columns = this.numericColumns();
      if (!columns.includes(this.column)) this.column = columns[0];
      const box = document.createElement("div");
      box.className = "kg-chart";
      const picker = document.createElement("label");
      picker.textContent = (lang === "zh" ? "数值列" : "Numeric column") + " ";
      const select = document.createElement("select");
      for (const column of columns) {
        const option = document.createElement("option");
        option.value = option.textContent = column;
        option.selected = column === this.column;
        select.appendChild(option);
      }
      select.addEventListener("change", () => {
        this.column = select.value;
        box.replaceChild(this.chart(), box.lastChild);
      });
      picker.appendChild(select);
      box.appendChild(picker);
      box.appendChild(this.chart());
      this.yasr.resultsEl.appendChild(box);
    }

    chart() {
      const variables = this.yasr.results.getVariables();
      const labelColumn = variables.find((v) => v !== this.column &&
        !this.numericColumns().includes(v));
      const rows = this.yasr.results.getBindings()
        .filter((b) => numeric(b[this.column])).slice(0, CHART_ROWS)
        .map((b, i) => ({name: labelColumn ? termText(b[labelColumn]) : String(i + 1),
                         value: Number(b[this.column].value), text: b[this.column].value}));
      const width = 640, nameWidth = 180, rowHeight = 20;
      const low = Math.min(0, ...rows.map((r) => r.value));
      const span = (Math.max(0, ...rows.map((r) => r.value)) - low) || 1;
      const plot = width - nameWidth - 90;
      const zero = nameWidth + plot * (-low / span);
      const height = rows.length * rowHeight + 8;
      const title = (lang === "zh" ? "条形图：" : "Bar chart: ") + this.column;
      const chart = svg("svg", {viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
                                class: "chart"});
      chart.appendChild(svg("title", {}, title));
      chart.appendChild(svg("line", {x1: zero, y1: 0, x2: zero, y2: height, stroke: "#889"}));
      rows.forEach((row, i) => {
        const y = 4 + i * rowHeight;
        const length = Math.max(1, Math.abs(row.value) / span * plot);
        const x = row.value >= 0 ? zero : zero - length;
        const name = row.name.length > 24 ? row.name.slice(0, 23) + "…" : row.name;
        chart.appendChild(svg("text", {x: nameWidth - 6, y: y + 13, "font-size": 12,
                                       "text-anchor": "end"}, name));
        const bar = svg("rect", {x, y: y + 2, width: length, height: rowHeight - 5,
                                 fill: "#1d3557", class: "bar"});
        bar.appendChild(svg("title", {}, `${row.name}: ${row.text}`));
        chart.appendChild(bar);
        chart.appendChild(svg("text", {x: Math.max(zero, x + length) + 5, y: y + 13,
                                       "font-size": 11}, row.text));
      });
      const figure = document.createElement("figure");
      figure.appendChild(chart);
      const total = this.yasr.results.getBindings().length;
      if (total > rows.length) {
        const note = document.createElement("figcaption");
        note.textContent = lang === "zh" ? `仅显示前${rows.length}行（共${total}行）`
          : `First ${rows.length} of ${total} rows`;
        figure.appendChild(note);
      }
      return figure;
    }
  }
  Yasr.registerPlugin("chart", BarChart);

  // ------------------------------------------------------------ completions from here

  function termCompleter(name, query) {
    let terms = null;
    return {
      ...Yasqe.Autocompleters[name],
      name,
      get(yasqe, token) {
        if (!terms) terms = select(query).then((rows) => rows.map((r) => r.t.value).sort());
        const start = (token && token.autocompletionString) || "";
        return terms.then((list) => list.filter((iri) => iri.startsWith(start)).slice(0, 100));
      },
    };
  }
  Yasqe.registerAutocompleter(termCompleter("class", "SELECT DISTINCT ?t WHERE { [] a ?t }"));
  Yasqe.registerAutocompleter(
    termCompleter("property", "SELECT DISTINCT ?t WHERE { [] ?t [] }"));
  const bundledPrefixes = Yasqe.Autocompleters.prefixes;
  Yasqe.registerAutocompleter({
    ...bundledPrefixes,
    persistenceId: "kg-prefixes",
    get(yasqe) {
      const own = Object.entries(prefixes).map(([p, ns]) => `${p}: <${ns}>`);
      return bundledPrefixes.get(yasqe).then((list) => [...own, ...list]);
    },
  });

  // ------------------------------------------------------------ predeclared prefixes

  // The endpoint knows the project prefixes without PREFIX lines; without this the
  // editor would flag `hkg:` in a query the server runs as it is.
  const sparqlMode = Yasqe.modes.sparql11;
  if (root.dataset.predeclared === "true" && sparqlMode) {
    Yasqe.modes.sparql11 = Object.assign(function (...args) {
      const mode = sparqlMode.apply(this, args);
      const startState = mode.startState;
      mode.startState = function (...state) {
        const start = startState.apply(this, state);
        start.prefixes = {...prefixes, ...start.prefixes};
        return start;
      };
      return mode;
    }, sparqlMode);
  }

  // ------------------------------------------------------------ the page's language

  const TOOK = /^(\d+) results? in ([\d.]+) seconds?$/;
  const SHOWS = /^Shows (.+) view$/;  // a result view's button, by the view's own label

  function vendorWord(text) {
    const took = TOOK.exec(text);
    if (took) return messages.took.replace("{n}", took[1]).replace("{s}", took[2]);
    const shows = SHOWS.exec(text);
    if (shows) return messages.shows.replace("{label}", vendorWords.get(shows[1]) || shows[1]);
    return vendorWords.get(text);
  }

  function translate(node) {
    // The result table's headers and cells are the query's variables and values (data);
    // YASGUI's own words are replaced where they stand (text, aria-label, title,
    // placeholder).
    if (!node.querySelectorAll) return;
    for (const cell of node.querySelectorAll(".dataTable th, .dataTable td")) {
      if (!cell.hasAttribute("data-value")) cell.setAttribute("data-value", "");
    }
    if (!vendorWords.size) return;
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const trimmed = text.nodeValue.trim();
      const word = vendorWord(trimmed);
      if (word !== undefined) text.nodeValue = text.nodeValue.replace(trimmed, word);
    }
    const elements = [node, ...node.querySelectorAll("*")];
    for (const element of elements) {
      for (const name of ["aria-label", "title", "placeholder"]) {
        const value = element.getAttribute && element.getAttribute(name);
        const word = value && vendorWord(value.trim());
        if (word !== undefined && word !== value) element.setAttribute(name, word);
      }
    }
  }

  const table = Yasr.plugins.table;
  table.defaults.tableConfig.language = {
    ...table.defaults.tableConfig.language,
    info: messages.showing, infoEmpty: messages.empty, emptyTable: messages.empty,
    zeroRecords: messages.empty, search: messages.search,
  };

  // ------------------------------------------------------------ errors with position

  let yasgui = null;

  function renderError(error) {
    let problem;
    try {
      problem = JSON.parse(error.text);
    } catch {
      return undefined;
    }
    if (!problem || !problem.title) return undefined;
    const box = document.createElement("div");
    box.className = "kg-error";
    const title = document.createElement("p");
    title.className = "kg-error-title";
    title.textContent = `${problem.status} ${problem.title}`;
    box.appendChild(title);
    if (problem.line) {
      const where = document.createElement("p");
      where.className = "kg-error-position";
      where.textContent = messages.position
        .replace("{line}", problem.line).replace("{column}", problem.column);
      box.appendChild(where);
      const yasqe = yasgui && yasgui.getTab().getYasqe();
      if (yasqe) {
        const line = problem.line - 1;
        yasqe.addLineClass(line, "background", "kg-error-line");
        const unmark = () => {
          yasqe.removeLineClass(line, "background", "kg-error-line");
          yasqe.off("change", unmark);
        };
        yasqe.on("change", unmark);
        yasqe.setCursor({line, ch: Math.max(0, problem.column - 1)});
      }
    }
    const detail = document.createElement("pre");
    detail.className = "kg-error-detail";
    detail.textContent = problem.detail;
    box.appendChild(detail);
    return Promise.resolve(box);
  }
  Yasr.defaults.errorRenderers = [renderError];

  // ------------------------------------------------------------ the editor

  const plain = document.getElementById("plain-form");
  // A link may carry a query to open in the fragment (#query=...): the search page's
  // "open it in the SPARQL editor" (the fragment never reaches the server).
  const linked = new URLSearchParams(window.location.hash.slice(1)).get("query");
  const example = plain.querySelector("textarea").value;
  root.hidden = false;
  plain.hidden = true;
  yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {endpoint, method: "POST",
                    acceptHeaderSelect: "application/sparql-results+json",
                    acceptHeaderGraph: "text/turtle"},
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {getData: () => [{endpoint}], keys: []},
    corsProxy: undefined,
    tabName: messages.query,
    persistenceId: `kg-yasgui-${lang}`,  // tabs named in the page's language
    yasqe: {value: example},
    yasr: {prefixes, defaultPlugin: "table"},
  });
  window.kgYasgui = yasgui;
  const yasguiRoot = document.getElementById("yasgui");
  translate(yasguiRoot);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "attributes") translate(change.target);
      for (const added of change.addedNodes) {
        if (added.nodeType === Node.TEXT_NODE && added.parentNode) translate(added.parentNode);
        else if (added.nodeType === Node.ELEMENT_NODE) translate(added);
      }
    }
  }).observe(yasguiRoot, {childList: true, subtree: true, attributes: true,
                          attributeFilter: ["aria-label", "title", "placeholder"]});
  if (linked) yasgui.addTab(true, {name: messages.question, yasqe: {value: linked}});

  // YASGUI's own markup, mended for screen readers: a tab list holds only tabs (its
  // "add tab" button, which YASGUI needs in place, is hidden from them and from the Tab
  // key: the examples menu opens tabs from the keyboard), and unlabelled fields get names.
  function mendAccessibility() {
    const host = document.getElementById("yasgui");
    for (const list of host.querySelectorAll("[role=tablist]")) {
      for (const child of list.children) {
        if (child.querySelector("[role=tab]") || child.hasAttribute("aria-hidden")) continue;
        child.setAttribute("aria-hidden", "true");
        for (const button of child.querySelectorAll("button")) button.tabIndex = -1;
      }
    }
    const names = [["input.autocomplete", lang === "zh" ? "SPARQL 端点" : "SPARQL endpoint"],
                   [".yasqe textarea", lang === "zh" ? "SPARQL 查询" : "SPARQL query"],
                   [".tab input[type=text]", lang === "zh" ? "标签页名称" : "Tab name"]];
    for (const [selector, name] of names) {
      for (const field of host.querySelectorAll(selector)) {
        if (!field.hasAttribute("aria-label")) field.setAttribute("aria-label", name);
      }
    }
  }
  mendAccessibility();
  new MutationObserver(mendAccessibility).observe(document.getElementById("yasgui"),
                                                  {childList: true, subtree: true});

  // ------------------------------------------------------------ saved questions as examples

  function bindingText(param, value) {
    if (param.type === "integer" || param.type === "decimal") return String(value);
    if (param.type === "iri") {
      const [, prefix, local] = /^([A-Za-z][\w-]*):(.*)$/.exec(value) || [];
      return prefix in prefixes ? `<${prefixes[prefix]}${local}>` : `<${value}>`;
    }
    if (param.type === "date") return `"${value}"^^<http://www.w3.org/2001/XMLSchema#date>`;
    return JSON.stringify(String(value));
  }

  function withValues(query) {
    // Parameters with a default (or required ones with an example) are bound by a VALUES
    // block at the start of the WHERE group, so the example runs as it is; a `lang`
    // parameter (the labels' language) is the page's.
    const bound = query.params
      .map((p) => [p, p.name === "lang" ? lang : p.default ?? (p.required ? p.example : null)])
      .filter(([, value]) => value !== null && value !== undefined);
    const text = query.sparql;
    if (!bound.length) return text;
    const where = /WHERE\s*\{/i.exec(text);
    if (!where) return text;
    const vars = bound.map(([p]) => `?${p.name}`).join(" ");
    const row = bound.map(([p, v]) => bindingText(p, v)).join(" ");
    const at = where.index + where[0].length;
    return `${text.slice(0, at)}\n  VALUES (${vars}) { (${row}) }${text.slice(at)}`;
  }

  const menu = document.getElementById("examples");
  fetch(root.dataset.queries, {headers: {Accept: "application/json"}})
    .then((response) => response.json())
    .then((catalogue) => {
      const byName = new Map();
      for (const query of catalogue.queries) {
        byName.set(query.name, query);
        const option = document.createElement("option");
        option.value = query.name;
        option.textContent = (lang === "zh" ? query.title.zh : query.title.en) ||
          query.title.en || query.name;
        menu.appendChild(option);
      }
      menu.addEventListener("change", () => {
        const query = byName.get(menu.value);
        if (!query) return;
        yasgui.addTab(true, {name: query.name, yasqe: {value: withValues(query)}});
      });
    })
    .catch((error) => console.warn("saved questions not loaded:", error));
})();
