// The interface text of the page that is not in the page's language (one entry per
// offending text). Data values are left out: any element carrying `lang` (other than
// <html>) or `data-value`, code of every kind (code, pre, kbd, samp, textarea), IRIs
// (class "iri"), and what no one reads (script, style, template, SVG metadata). Besides text,
// placeholders and aria-labels are interface words too.
return (function (allowed) {
  const page = document.documentElement.lang.startsWith("zh") ? "zh" : "en";
  const DATA = "[lang]:not(html), [data-value], code, pre, kbd, samp, textarea, .iri, " +
    "script, style, template, noscript, metadata";
  const allowedWords = new Set(allowed);
  function foreign(text) {
    if (page === "en") return /\p{Script=Han}/u.test(text) ? text : null;
    const words = (text.match(/[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*/g) || [])
      .filter((w) => /[A-Za-z]{3}/.test(w) && !allowedWords.has(w));
    return words.length ? words.join(" ") : null;
  }
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    if (!text || node.parentElement.closest(DATA)) continue;
    const bad = foreign(text);
    if (bad) found.push(`${node.parentElement.tagName.toLowerCase()}: ${bad} «${text.slice(0, 80)}»`);
  }
  for (const element of document.body.querySelectorAll("[placeholder], [aria-label]")) {
    if (element.closest(DATA)) continue;
    for (const name of ["placeholder", "aria-label"]) {
      const value = element.getAttribute(name);
      const bad = value && foreign(value);
      if (bad) found.push(`${element.tagName.toLowerCase()}[${name}]: ${bad}`);
    }
  }
  return found;
})(arguments[0]);
