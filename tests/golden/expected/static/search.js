// digest search: matches the query against search/index.json, built with the site.
// No dependencies; results are built with textContent, never innerHTML.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form) { return; }
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var entries = null;
  var MAX = 50;

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function terms(query) {
    return fold(query).split(/[^\p{L}\p{N}]+/u).filter(function (t) { return t.length > 0; });
  }
  function score(entry, ts) {
    var words = " " + entry.k;
    var title = " " + fold(entry.title);
    var total = 0;
    for (var i = 0; i < ts.length; i++) {
      var t = " " + ts[i];
      if (words.indexOf(t) < 0 && title.indexOf(t) < 0) { return 0; }
      total += 1;
      if (title.indexOf(t) >= 0) { total += 3; }
    }
    if (entry.kind === "story") { total += 1; }
    return total;
  }
  // Fills el with text, the words that a query term starts in <mark> (text nodes only).
  function highlight(el, text, ts) {
    var re = /[\p{L}\p{N}]+/gu, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      var word = fold(m[0]);
      var hit = ts.some(function (t) { return word.indexOf(t) === 0; });
      if (!hit) { continue; }
      el.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      el.appendChild(mark);
      last = m.index + m[0].length;
    }
    el.appendChild(document.createTextNode(text.slice(last)));
  }
  function show(query) {
    list.textContent = "";
    var ts = terms(query);
    if (!ts.length) { status.textContent = ""; return; }
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], ts);
      if (s > 0) { hits.push([s, i]); }
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    status.textContent = hits.length === 0 ? "No results for \u201c" + query + "\u201d."
      : hits.length + (hits.length === 1 ? " result" : " results") + " for \u201c" + query + "\u201d" +
        (hits.length > MAX ? ", the first " + MAX + " shown." : ".");
    hits.slice(0, MAX).forEach(function (hit) {
      var e = entries[hit[1]];
      var li = document.createElement("li");
      li.className = "result result-" + e.kind;
      var kind = document.createElement("p");
      kind.className = "kicker";
      kind.textContent = (e.kind === "story" ? "Story" : "Source") +
        (e.source ? " \u00b7 " + e.source : "") + (e.date ? " \u00b7 " + e.date : "");
      var h = document.createElement("h2");
      var a = document.createElement("a");
      a.href = e.url;
      highlight(a, e.title, ts);
      h.appendChild(a);
      li.appendChild(kind);
      li.appendChild(h);
      if (e.snippet) {
        var p = document.createElement("p");
        highlight(p, e.snippet, ts);
        li.appendChild(p);
      }
      list.appendChild(li);
    });
  }
  function run(query, push) {
    if (push) {
      var url = new URL(window.location.href);
      if (query) { url.searchParams.set("q", query); } else { url.searchParams.delete("q"); }
      window.history.replaceState(null, "", url);
    }
    if (entries) { show(query); return; }
    status.textContent = "Loading the index\u2026";
    fetch(form.getAttribute("data-index"))
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { entries = data.entries; show(input.value); })
      .catch(function () { status.textContent = "The search index could not be loaded."; });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value, true);
  });
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value, true); }, 150);
  });
  var initial = new URLSearchParams(window.location.search).get("q") || "";
  if (initial) { input.value = initial; run(initial, false); }
})();
