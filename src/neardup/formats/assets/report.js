/* The neardup HTML report: the pairs table (sort, filter, pages) and each pair's detail
   (aligned texts, differences, shared passages), built from the page's JSON blocks.
   Document text only ever reaches the page as text nodes (never as markup). */
"use strict";
(function () {
  var table = JSON.parse(document.getElementById("nd-table").textContent);
  var docs = table.documents, pairs = table.pairs, apart = table.apart || [];
  var detailData = null;
  var NUM = 0, A = 1, B = 2, JAC = 3, CON = 4, AINB = 5, BINA = 6, REW = 7, ACOV = 8,
      BCOV = 9, NPAS = 10, AHEAD = 11, BHEAD = 12, KIND = 13, JUDGED = 14, REASON = 15;
  var DIFFERENT = -1;
  var PAGE = 100;
  var state = { sort: "jaccard", desc: true, q: "", min: null, max: null, kind: "", page: 0 };
  var view = [];

  function details() {
    if (detailData === null) {
      detailData = JSON.parse(document.getElementById("nd-detail").textContent);
    }
    return detailData;
  }

  /* A pair the detail shows: a reported pair ("pair", its number) or one set apart
     ("apart", its place in the Set apart list, which never numbers a reported pair); its
     row of the table data and its address. */
  function entry(kind, n) {
    return { kind: kind, n: n, p: (kind === "apart" ? apart : pairs)[n - 1],
             hash: "#" + kind + "-" + n };
  }
  function detailOf(x) { return details()[x.kind === "apart" ? "apart" : "pairs"][x.n - 1]; }

  var UNSAFE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udfff]/gu;
  /* Text as it may be shown: controls and bidirectional overrides as visible escapes, lone
     surrogates as U+FFFD (as the rest of the page writes them). */
  function visible(text) {
    return text.replace(UNSAFE, function (c) {
      var code = c.charCodeAt(0);
      if (code >= 0xd800 && code <= 0xdfff) return "\ufffd";
      var hex = code.toString(16);
      return code < 0x100 ? "\\x" + ("0" + hex).slice(-2) : "\\u" + ("000" + hex).slice(-4);
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] === null || attrs[k] === undefined) return;
        if (k === "class") node.className = attrs[k];
        else if (k === "style") node.style.cssText = attrs[k];
        else node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function share3(v) {
    if (v === null || v === undefined) return "?";
    var s = v.toFixed(3);
    if (s === "1.000" && v < 1) return "0.999";
    if (s === "0.000" && v > 0) return "0.001";
    return s;
  }
  function pct(v) { return v === null || v === undefined ? "?" : (v * 100).toFixed(1) + "%"; }
  function num(v) { return v === null || v === undefined ? "?" : v.toLocaleString("en"); }
  function docId(i) { return visible(docs[i][0]); }
  function docLabel(i) {
    var out = [el("span", { class: "id" }, [docId(i)])];
    if (docs[i][1]) out.push(" ", el("span", { class: "title" }, [visible(docs[i][1])]));
    return out;
  }
  function longer(p) { return Math.max(docs[p[A]][2] || 0, docs[p[B]][2] || 0); }

  /* ------------------------------------------------------------------ the table */

  var KEYS = {
    number: function (p) { return p[NUM]; },
    id: function (p) { return docs[p[A]][0] + "\u0000" + docs[p[B]][0]; },
    jaccard: function (p) { return p[JAC]; },
    containment: function (p) { return p[CON]; },
    share: function (p) { return Math.max(p[AHEAD], p[BHEAD]); },
    length: longer,
    passages: function (p) { return p[NPAS]; }
  };
  var haystacks = null;

  function matches(p) {
    if (state.min !== null && p[JAC] < state.min) return false;
    if (state.max !== null && p[JAC] > state.max) return false;
    if (state.kind && p[KIND] !== state.kind) return false;
    if (!state.q) return true;
    if (haystacks === null) {
      haystacks = docs.map(function (d) { return (d[0] + "\n" + (d[1] || "")).toLowerCase(); });
    }
    return haystacks[p[A]].indexOf(state.q) >= 0 || haystacks[p[B]].indexOf(state.q) >= 0;
  }

  function refresh() {
    var key = KEYS[state.sort], sign = state.desc ? -1 : 1;
    view = pairs.filter(matches);
    view.sort(function (x, y) {
      var kx = key(x), ky = key(y);
      if (kx < ky) return -sign;
      if (kx > ky) return sign;
      return x[NUM] - y[NUM];
    });
    var pages = Math.max(1, Math.ceil(view.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    renderRows();
    document.querySelectorAll("table.pairs th[data-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", th.dataset.sort !== state.sort ? "none"
        : state.desc ? "descending" : "ascending");
    });
    document.getElementById("sort").value = state.sort;
    document.getElementById("order").textContent = state.desc ? "descending" : "ascending";
  }

  /* A pair marked reviewed stays so in this browser (its storage, by the two ids), across
     reloads and newer reports of the same documents. */
  function reviewKey(p) { return "neardup:reviewed:" + docs[p[A]][0] + "\u0000" + docs[p[B]][0]; }
  function reviewed(p) {
    try { return window.localStorage.getItem(reviewKey(p)) === "1"; } catch (e) { return false; }
  }
  function setReviewed(p, on) {
    try {
      if (on) window.localStorage.setItem(reviewKey(p), "1");
      else window.localStorage.removeItem(reviewKey(p));
    } catch (e) { /* no storage (private window): the mark lasts as long as the page */ }
    var row = document.querySelector('#pair-rows tr[data-pair="' + p[NUM] + '"]');
    if (row) row.classList.toggle("reviewed", on);
  }

  function renderRows() {
    var body = document.getElementById("pair-rows");
    var rows = document.createDocumentFragment();
    var first = state.page * PAGE, last = Math.min(view.length, first + PAGE);
    var shown = opened(), open = shown && shown.kind === "pair" ? shown.n : 0;
    for (var k = first; k < last; k++) {
      var p = view[k];
      var link = el("a", { href: "#pair-" + p[NUM] }, [String(p[NUM])]);
      rows.appendChild(el("tr", { "data-pair": p[NUM], class: (p[NUM] === open ? "open" : "") +
                                  (reviewed(p) ? " reviewed" : "") }, [
        el("td", { class: "num", "data-label": "pair" }, [link]),
        el("td", { class: "doc" }, [el("span", { class: "side" }, ["a"])].concat(docLabel(p[A]))),
        el("td", { class: "doc" }, [el("span", { class: "side" }, ["b"])].concat(docLabel(p[B]))),
        el("td", { class: "num", "data-label": "a in b / b in a" },
           [pct(p[AHEAD]) + " / " + pct(p[BHEAD])]),
        el("td", { class: "num", "data-label": "Jaccard" },
           [el("span", { class: "bar", style: "width:" + (p[JAC] * 4).toFixed(2) + "em" }),
            share3(p[JAC])]),
        el("td", { class: "num", "data-label": "containment" }, [share3(p[CON])]),
        el("td", { class: "num", "data-label": "chars a / b" },
           [num(docs[p[A]][2]) + " / " + num(docs[p[B]][2])]),
        el("td", { class: "num", "data-label": "passages" },
           [p[ACOV] === null ? "not computed" : String(p[NPAS])])
      ]));
    }
    body.textContent = "";
    body.appendChild(rows);
    var info = view.length === 0 ? "no pair matches"
      : (first + 1).toLocaleString("en") + "–" + last.toLocaleString("en") + " of " +
        view.length.toLocaleString("en") + (view.length === 1 ? " pair" : " pairs") +
        (view.length < pairs.length ? " (of " + pairs.length.toLocaleString("en") + ")" : "");
    document.getElementById("page-info").textContent = info;
    document.getElementById("prev-page").disabled = state.page === 0;
    document.getElementById("next-page").disabled = last >= view.length;
  }

  function numberOrNull(input) {
    var v = parseFloat(input.value);
    return isNaN(v) ? null : v;
  }

  function setUpTable() {
    document.querySelectorAll("table.pairs th[data-sort] button").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.parentNode.dataset.sort;
        if (state.sort === key) state.desc = !state.desc;
        else { state.sort = key; state.desc = key !== "number" && key !== "id"; }
        refresh();
      });
    });
    document.getElementById("sort").addEventListener("change", function (e) {
      state.sort = e.target.value;
      refresh();
    });
    document.getElementById("order").addEventListener("click", function () {
      state.desc = !state.desc;
      refresh();
    });
    document.getElementById("q").addEventListener("input", function (e) {
      state.q = e.target.value.trim().toLowerCase();
      state.page = 0;
      refresh();
    });
    ["min", "max"].forEach(function (name) {
      document.getElementById(name).addEventListener("input", function (e) {
        state[name] = numberOrNull(e.target);
        state.page = 0;
        refresh();
      });
    });
    var kind = document.getElementById("kind");
    if (kind) kind.addEventListener("change", function (e) {
      state.kind = e.target.value; state.page = 0; refresh();
    });
    document.getElementById("prev-page").addEventListener("click", function () {
      state.page -= 1;
      renderRows();
    });
    document.getElementById("next-page").addEventListener("click", function () {
      state.page += 1;
      renderRows();
    });
  }

  /* ------------------------------------------------------------------ a pair's texts */

  /* The text [lo, hi) of one side: passages in marks (a thin border, their colour),
     folded parts underlined, scraper markers as markers. */
  function renderText(cell, text, lo, hi, spans, markers, folded) {
    var points = [lo, hi];
    function add(list) {
      list.forEach(function (s) {
        if (s[1] > lo && s[0] < hi) points.push(Math.max(s[0], lo), Math.min(s[1], hi));
      });
    }
    add(spans); add(markers); add(folded);
    points = Array.from(new Set(points)).sort(function (x, y) { return x - y; });
    function find(list, at) {
      for (var i = 0; i < list.length; i++) {
        if (list[i][0] <= at && at < list[i][1]) return list[i];
        if (list[i][0] > at) break;
      }
      return null;
    }
    var mark = null, markOf = null;
    function openMark(span, first) {
      mark = el("mark", {
        "data-k": span[2], "data-n": first ? String(span[2] + 1) : null,
        tabindex: first ? "0" : null, style: "--h:" + span[3],
        class: (span[4] ? "" : "moved") + (span[6] ? " formula" : ""),
        title: "passage " + (span[2] + 1) + " (" + num(span[5]) + " chars)" +
               (span[4] ? "" : ", moved: elsewhere in the other text") +
               (span[6] ? ", formula: wording many documents share, not counted" : "")
      });
      cell.appendChild(mark);
    }
    for (var i = 0; i + 1 < points.length; i++) {
      var x = points[i], y = points[i + 1];
      var span = find(spans, x), marker = find(markers, x), fold = find(folded, x);
      var piece = visible(text.slice(x, y));
      var parts = piece.split(/(\n+)/);
      var edge = function (k) {
        return (x === lo && k === 1 && !parts[0]) ||
               (y === hi && k === parts.length - 2 && !parts[parts.length - 1]);
      };
      if (!span) {
        markOf = null;
        if (marker || fold) {
          cell.appendChild(node(piece, marker, fold));
          continue;
        }
        parts.forEach(function (part, k) {
          if (part) cell.appendChild(k % 2 ? breaks(part, edge(k)) : document.createTextNode(part));
        });
        continue;
      }
      /* line breaks stay outside the marks, so that an empty line draws no frame */
      parts.forEach(function (part, k) {
        if (!part) return;
        if (k % 2) {
          cell.appendChild(breaks(part, edge(k)));
          mark = null;
          return;
        }
        if (markOf !== span || mark === null) openMark(span, markOf !== span);
        markOf = span;
        mark.appendChild(node(part, marker, fold));
      });
    }
  }

  /* A run of line breaks: at the start or end of a cell it takes no room; inside, one empty
     line at most shows (the rest stays in the text, hidden): blank lines draw no tall bands. */
  function breaks(part, edge) {
    if (edge) return el("span", { class: "nl-hidden" }, [part]);
    if (part.length <= 2) return document.createTextNode(part);
    var both = document.createDocumentFragment();
    both.appendChild(document.createTextNode(part.slice(0, 2)));
    both.appendChild(el("span", { class: "nl-hidden" }, [part.slice(2)]));
    return both;
  }

  function node(piece, marker, fold) {
    if (marker) {
      return el("span", { class: "marker", title: "scraper marker (removed before comparing)" }, [piece]);
    }
    if (fold) {
      return el("span", { class: "folded", title: "the same after folding; the other document has: " + visible(fold[2]) }, [piece]);
    }
    return document.createTextNode(piece);
  }

  function sideLabel(side) { return el("span", { class: "side-label" }, [side]); }

  /* The rows of pair n, [a_start, a_end, b_start, b_end, kind], from their kinds: a row of
     passage k spans it (from where the row before ended), a row of differences runs from
     the end of the row before to the start of the next passage (or of the texts' ends). */
  function rowsOf(x) {
    var d = details(), pd = detailOf(x), p = x.p;
    var ends = [d.texts[p[A]].length, d.texts[p[B]].length];
    var rows = [], ea = 0, eb = 0;
    pd.r.forEach(function (kind, i) {
      var q = kind >= 0 ? pd.p[kind] : pd.p[pd.r[i + 1]];
      var sa = q ? Math.max(q[0], ea) : ends[0], sb = q ? Math.max(q[2], eb) : ends[1];
      if (kind >= 0) {
        rows.push([sa, Math.max(q[1], sa), sb, Math.max(q[3], sb), kind]);
      } else {
        rows.push([ea, sa, eb, sb, kind]);
      }
      ea = rows[i][1];
      eb = rows[i][3];
    });
    return rows;
  }

  /* The aligned view of pair x: one scroll box, a's text left and b's right, row by row. */
  function alignedView(x) {
    var d = details(), pd = detailOf(x), p = x.p;
    var texts = [d.texts[p[A]], d.texts[p[B]]], markers = [d.markers[p[A]], d.markers[p[B]]];
    var rows = rowsOf(x), chained = {};
    pd.r.forEach(function (kind) { if (kind >= 0) chained[kind] = true; });
    var spans = [[], []];
    pd.p.forEach(function (q, k) {
      var formula = pd.m ? pd.m[k] : 0;
      spans[0].push([q[0], q[1], k, q[4], chained[k], q[5], formula]);
      spans[1].push([q[2], q[3], k, q[4], chained[k], q[5], formula]);
    });
    spans[1].sort(function (x, y) { return x[0] - y[0]; });
    var box = el("div", { class: "aligned", "data-pair": x.kind === "pair" ? x.n : null,
                          "data-apart": x.kind === "apart" ? x.n : null });
    box.appendChild(el("div", { class: "row head" }, [
      el("div", { class: "cell" }, ["a: " + docId(p[A])]),
      el("div", { class: "cell" }, ["b: " + docId(p[B])])
    ]));
    var diffs = 0;
    rows.forEach(function (r) {
      var kind = r[4] >= 0 ? "same" : r[4] === DIFFERENT ? "diff" : "minor";
      var blank = kind === "minor" && !texts[0].slice(r[0], r[1]).trim() &&
        !texts[1].slice(r[2], r[3]).trim();  /* blank lines only: drawn as a thin line */
      var row = el("div", { class: "row " + kind + (blank ? " blank" : "") });
      if (kind === "diff") row.setAttribute("data-diff", diffs++);
      [0, 1].forEach(function (s) {
        var lo = r[2 * s], hi = r[2 * s + 1];
        var cell = el("div", { class: "cell " + (s ? "b" : "a") }, [sideLabel(s ? "b" : "a")]);
        if (hi > lo) renderText(cell, texts[s], lo, hi, spans[s], markers[s], pd.f[s]);
        else if (kind === "diff") cell.appendChild(el("span", { class: "none" }, ["(nothing in " + (s ? "b" : "a") + ")"]));
        row.appendChild(cell);
      });
      box.appendChild(row);
    });
    return box;
  }

  function shortened(text, most) {
    if (text.length <= most) return text;
    var head = Math.floor(most * 2 / 3), tail = Math.floor(most / 6);
    return text.slice(0, head) + " … " + text.slice(text.length - tail) +
           " (+" + num(text.length - head - tail) + " chars)";
  }

  var CONTEXT = 12;
  /* One difference: what a has and what b has there, with a few characters around. */
  function differenceItem(texts, r) {
    function side(s, Tag) {
      var text = texts[s], lo = r[2 * s], hi = r[2 * s + 1];
      var before = text.slice(Math.max(0, lo - CONTEXT), lo).replace(/\s+/g, " ");
      var after = text.slice(hi, hi + CONTEXT).replace(/\s+/g, " ");
      var short = shortened(text.slice(lo, hi).replace(/\s+/g, " "), 90);
      var cut = / \(\+[\d,]+ chars\)$/.exec(short);
      var part = hi > lo ? el(Tag, {}, [visible(cut ? short.slice(0, cut.index) : short)])
                         : el("span", { class: "none" }, ["(nothing)"]);
      return el("span", { class: "part" }, [el("span", { class: "side" }, [s ? "b" : "a"]),
        "…" + visible(before), part, cut ? el("span", { class: "muted" }, [cut[0]]) : "",
        visible(after) + "…"]);
    }
    return el("li", {}, [side(0, "del"), side(1, "ins")]);
  }

  function passageList(x, box) {
    var d = details(), pd = detailOf(x), p = x.p;
    var order = pd.p.map(function (q, k) { return k; });
    order.sort(function (x, y) { return pd.p[y][5] - pd.p[x][5] || x - y; });
    var list = el("ol", { class: "passages" });
    order.forEach(function (k) {
      var q = pd.p[k];
      var text = d.texts[p[A]] === null ? q[6] : d.texts[p[A]].slice(q[0], q[1]);
      var item = el("li", { value: k + 1, "data-k": k }, [
        el("span", { class: "swatch", style: "--h:" + q[4] }), " " + num(q[5]) + " chars" +
          (pd.m && pd.m[k] ? " of formula (not counted)" : "") + ": ",
        visible(shortened(text.replace(/\s+/g, " "), 160))
      ]);
      if (box) item.addEventListener("click", function () { centre(box.querySelector('mark[data-k="' + k + '"]')); });
      list.appendChild(item);
    });
    return el("details", {}, [el("summary", {}, ["Shared passages, longest first (" + pd.p.length + ")"]), list]);
  }

  function centre(node) {
    if (!node) return;
    node.scrollIntoView({ block: "center", inline: "nearest" });
    node.focus({ preventScroll: true });
    node.classList.add("flash");
    setTimeout(function () { node.classList.remove("flash"); }, 900);
  }

  function pairHeading(x, tag) {
    var p = x.p;
    return el(tag, { id: tag === "h2" ? "detail-title" : null }, [
      (x.kind === "apart" ? "Pair set apart, " + x.n + " of " + apart.length : "Pair " + x.n) + ": ",
      el("span", { class: "id" }, [docId(p[A])]), " ↔ ",
      el("span", { class: "id" }, [docId(p[B])])
    ]);
  }

  function pairFacts(x) {
    var p = x.p;
    if (x.kind === "apart") return apartFacts(p);
    var head = pct(p[AHEAD]) + " of a is in b, " + pct(p[BHEAD]) + " of b is in a";
    var words = " (" + table.basis + "). " +
      (p[ACOV] === null ? "Passages not computed (--no-passages, or add_passages not run). "
        : p[NPAS] + (p[NPAS] === 1 ? " shared passage. " : " shared passages. ")) +
      "Jaccard " + share3(p[JAC]) + ", containment " + share3(p[CON]) + " (of the shingles of the smaller)" +
      (p[REW] === null ? "" : ", rewrite resemblance " + share3(p[REW])) + ".";
    var facts = el("p", { class: "facts" }, [el("strong", {}, [head]), words]);
    if (!p[JUDGED]) return facts;
    return el("div", {}, [facts, el("p", { class: "judged" }, [el("strong", {}, ["Why a copy: "]), p[JUDGED]])]);
  }

  /* Why a pair set apart may have no passages: a scan with --no-passages, or a check whose
     index texts at hand are those of the reported pairs only. */
  var NOT_COMPUTED_APART = "Passages not computed (--no-passages, or the texts were not at hand)";

  /* What a pair set apart shows first: why it is not a copy, then its figures: the shares
     of the Set apart table (shingles), its shared passages and the judgement's measure. */
  function apartFacts(p) {
    var passages = p[ACOV] === null ? NOT_COMPUTED_APART + ". "
      : p[NPAS] + (p[NPAS] === 1 ? " shared passage" : " shared passages") + ", covering " +
        pct(p[ACOV]) + " of a and " + pct(p[BCOV]) + " of b (formula included). ";
    var out = [
      el("p", { class: "apart-reason" }, [el("strong", {}, ["Set apart: "]), p[REASON],
        el("span", { class: "muted" }, [" (judged not a copy: not among the pairs, the clusters or the copy ratios)"])]),
      el("p", { class: "facts" }, [
        el("strong", {}, [pct(p[AHEAD]) + " of a is in b, " + pct(p[BHEAD]) + " of b is in a"]),
        " (counted in shingles, as in the Set apart table). " + passages + "Jaccard " +
        share3(p[JAC]) + ", containment " + share3(p[CON]) + " (of the shingles of the smaller)" +
        (p[REW] === null ? "" : ", rewrite resemblance " + share3(p[REW])) + "."])
    ];
    if (p[JUDGED]) out.push(el("p", { class: "judged" }, [el("strong", {}, ["Figures: "]), p[JUDGED]]));
    return el("div", {}, out);
  }

  function docsBox(x) {
    var p = x.p;
    return el("div", { class: "docs" }, [A, B].map(function (s) {
      var i = p[s];
      return el("div", {}, [el("strong", {}, [s === A ? "a: " : "b: "])].concat(docLabel(i),
        [el("div", { class: "muted" }, [num(docs[i][2]) + " characters"])]));
    }));
  }

  /* The pair the address names (#pair-N, #apart-N), or null. */
  function opened() {
    var m = /^#(pair|apart)-(\d+)$/.exec(location.hash);
    if (!m) return null;
    var n = parseInt(m[2], 10);
    return n >= 1 && n <= (m[1] === "apart" ? apart : pairs).length ? entry(m[1], n) : null;
  }

  var current = { diff: -1, box: null };

  function goDiff(step, to) {
    var box = current.box;
    if (!box) return;
    var rows = box.querySelectorAll(".row[data-diff]");
    if (!rows.length) return;
    var next = to !== undefined ? to : Math.max(0, Math.min(rows.length - 1, current.diff + step));
    if (current.diff >= 0 && rows[current.diff]) rows[current.diff].classList.remove("current");
    current.diff = next;
    rows[next].classList.add("current");
    rows[next].scrollIntoView({ block: "center", inline: "nearest" });
    document.getElementById("diff-info").textContent = "difference " + (next + 1) + " of " + rows.length;
    document.querySelectorAll("ol.diffs li").forEach(function (li, k) {
      li.classList.toggle("current", k === next);
    });
  }

  /* The number of the pair step places from x: in the table's order for a reported pair
     (when it is in view), in the Set apart list's for one set apart; 0 past the ends. */
  function neighbour(x, step) {
    if (x.kind === "apart") return x.n + step >= 1 && x.n + step <= apart.length ? x.n + step : 0;
    var at = view.indexOf(x.p);
    var list = at >= 0 ? view : pairs;
    if (at < 0) at = x.n - 1;
    var q = list[at + step];
    return q ? q[NUM] : 0;
  }

  function showPair(x, scroll) {
    var section = document.getElementById("detail");
    var d = details(), pd = detailOf(x), p = x.p;
    section.textContent = "";
    section.hidden = false;
    var previous = neighbour(x, -1), next = neighbour(x, 1);
    function pairButton(label, target) {
      var b = el("button", {}, [label]);
      b.disabled = !target;
      b.addEventListener("click", function () { location.hash = entry(x.kind, target).hash; });
      return b;
    }
    var word = x.kind === "apart" ? " pair set apart" : " pair";
    section.appendChild(el("div", { class: "pairnav" }, [
      el("a", { href: "#top" }, ["↑ top"]),
      x.kind === "apart" ? el("a", { href: "#set-apart" }, ["↑ set apart"])
                         : el("a", { href: "#pairs" }, ["↑ pairs table"]),
      pairButton("← previous" + word, previous),
      pairButton("next" + word + " →", next)
    ]));
    section.appendChild(pairHeading(x, "h2"));
    if (x.kind === "pair") {
      var tick = el("input", { type: "checkbox", id: "reviewed" });
      tick.checked = reviewed(p);
      tick.addEventListener("change", function () { setReviewed(p, tick.checked); });
      section.appendChild(el("label", { class: "review" }, [tick, " reviewed (kept in this browser)"]));
    }
    section.appendChild(pairFacts(x));
    section.appendChild(docsBox(x));
    current = { diff: -1, box: null };
    if (pd === null || pd.r === null) {
      section.appendChild(el("p", { class: "muted" }, [p[ACOV] === null
        ? (x.kind === "apart" ? NOT_COMPUTED_APART : "Passages not computed (--no-passages, or add_passages not run)") +
          ": the texts are not shown side by side."
        : "The texts were not given to the renderer; the shared passages only."]));
      if (pd && p[ACOV] !== null) section.appendChild(passageList(x, null));
    } else {
      var box = alignedView(x);
      current.box = box;
      var texts = [d.texts[p[A]], d.texts[p[B]]];
      var differing = rowsOf(x).filter(function (r) { return r[4] === DIFFERENT; });
      var list = el("ol", { class: "diffs" });
      differing.forEach(function (r, k) {
        var item = differenceItem(texts, r);
        item.addEventListener("click", function () { goDiff(0, k); });
        list.appendChild(item);
      });
      var prevDiff = el("button", { id: "prev-diff" }, ["↑ previous difference"]);
      var nextDiff = el("button", { id: "next-diff" }, ["↓ next difference"]);
      prevDiff.disabled = nextDiff.disabled = differing.length === 0;
      prevDiff.addEventListener("click", function () { goDiff(-1); });
      nextDiff.addEventListener("click", function () { goDiff(1); });
      section.appendChild(el("p", { class: "muted" }, [
        "The texts side by side, aligned: a row holds a shared passage (its number at its start, the same number, colour and thin frame in both texts; dashed: moved) or what differs between two of them (shaded). Hover or focus a passage to light it up in both texts; click it or press Enter to centre its partner. Keys: n and p for the next and previous difference." +
        (table.folds ? " Dotted underline: the same only after folding (traditional script or synonyms); hover it for the other document's words." : "") +
        (pd.m && pd.m.indexOf(1) >= 0 ? " Grey passages: formula, wording many documents share, which the copies judgement does not count." : "")
      ]));
      section.appendChild(el("div", { class: "toolbar" }, [prevDiff, nextDiff,
        el("span", { id: "diff-info", class: "muted" }, [differing.length === 0 ? "no differences in letters or digits"
          : differing.length + (differing.length === 1 ? " difference" : " differences")])]));
      if (differing.length) {
        section.appendChild(el("details", { open: "" }, [el("summary", {}, ["Differences (" + differing.length + ")"]), list]));
      }
      section.appendChild(box);
      section.appendChild(passageList(x, box));
    }
    document.querySelectorAll("#pair-rows tr").forEach(function (tr) {
      tr.classList.toggle("open", x.kind === "pair" && tr.dataset.pair === String(x.n));
    });
    document.querySelectorAll("table.set-apart tbody tr").forEach(function (tr, k) {
      tr.classList.toggle("open", x.kind === "apart" && k + 1 === x.n);
    });
    if (scroll) section.scrollIntoView({ block: "start" });
  }

  /* ------------------------------------------------------------------ copy ratios */

  var COPY_PAGE = 50, COPY_SOURCES = 5;
  var copies = table.copies || [];
  var cstate = { sort: "total", desc: true, q: "", min: null, page: 0 };
  var cview = [];
  var CKEYS = {
    total: function (c) { return c[1]; },
    largest: function (c) { return c[2].length ? c[2][0][1] : 0; },
    sources: function (c) { return c[2].length; },
    id: function (c) { return docs[c[0]][0]; }
  };

  function hay(i) {
    if (haystacks === null) {
      haystacks = docs.map(function (d) { return (d[0] + "\n" + (d[1] || "")).toLowerCase(); });
    }
    return haystacks[i];
  }

  function copyMatches(c) {
    if (cstate.min !== null && c[1] * 100 < cstate.min) return false;
    if (!cstate.q) return true;
    return hay(c[0]).indexOf(cstate.q) >= 0 ||
      c[2].some(function (s) { return hay(s[0]).indexOf(cstate.q) >= 0; });
  }

  function crefresh() {
    var key = CKEYS[cstate.sort], sign = cstate.desc ? -1 : 1;
    cview = copies.filter(copyMatches);
    cview.sort(function (x, y) {
      var kx = key(x), ky = key(y);
      if (kx < ky) return -sign;
      if (kx > ky) return sign;
      return x[0] - y[0];
    });
    cstate.page = Math.min(cstate.page, Math.max(0, Math.ceil(cview.length / COPY_PAGE) - 1));
    renderCopies();
    document.getElementById("csort").value = cstate.sort;
    document.getElementById("corder").textContent = cstate.desc ? "descending" : "ascending";
  }

  function sourceItem(c, s) {
    var item = el("li", {}, [el("strong", {}, [pct(s[1])]), " in ",
                             el("span", { class: "id" }, [docId(s[0])])]);
    if (s[2]) item.appendChild(document.createTextNode(" "));
    if (s[2]) item.appendChild(el("a", { href: "#pair-" + s[2] }, ["pair " + s[2]]));
    if (s.length > 3) {  /* identical once normalized: its group is shown in a cluster */
      item.appendChild(document.createTextNode(" "));
      item.appendChild(s[3] ? el("a", { href: "#cluster-" + s[3] },
                                 ["identical once normalized, cluster " + s[3]])
                            : el("span", {}, ["identical once normalized"]));
    }
    return item;
  }

  function sourceList(c, all) {
    var list = el("ul", { class: "sources" });
    var shown = all ? c[2] : c[2].slice(0, COPY_SOURCES);
    shown.forEach(function (s) { list.appendChild(sourceItem(c, s)); });
    if (!all && c[2].length > COPY_SOURCES) {
      var more = el("button", { type: "button", class: "more" },
                    ["+" + (c[2].length - COPY_SOURCES) + " more"]);
      more.addEventListener("click", function () { list.replaceWith(sourceList(c, true)); });
      list.appendChild(el("li", {}, [more]));
    }
    return list;
  }

  function renderCopies() {
    var body = document.getElementById("copy-rows");
    var rows = document.createDocumentFragment();
    var first = cstate.page * COPY_PAGE, last = Math.min(cview.length, first + COPY_PAGE);
    for (var k = first; k < last; k++) {
      var c = cview[k], top = c[2][0];
      rows.appendChild(el("tr", {}, [
        el("td", { class: "doc" }, docLabel(c[0])),
        el("td", { class: "num", "data-label": "found elsewhere" },
           [el("span", { class: "bar", style: "width:" + (c[1] * 4).toFixed(2) + "em" }), pct(c[1])]),
        el("td", { class: "num", "data-label": "largest source" }, top ? [pct(top[1])] : ["–"]),
        el("td", { class: "srccell", "data-label": c[2].length + (c[2].length === 1 ? " source" : " sources") },
           [sourceList(c, false)])
      ]));
    }
    body.textContent = "";
    body.appendChild(rows);
    document.getElementById("cinfo").textContent = cview.length === 0 ? "no document matches"
      : (first + 1).toLocaleString("en") + "–" + last.toLocaleString("en") + " of " +
        cview.length.toLocaleString("en") + " documents" +
        (cview.length < copies.length ? " (of " + copies.length.toLocaleString("en") + ")" : "");
    document.getElementById("cprev").disabled = cstate.page === 0;
    document.getElementById("cnext").disabled = last >= cview.length;
  }

  function setUpCopies() {
    document.getElementById("csort").addEventListener("change", function (e) {
      cstate.sort = e.target.value; cstate.desc = cstate.sort !== "id"; cstate.page = 0; crefresh();
    });
    document.getElementById("corder").addEventListener("click", function () {
      cstate.desc = !cstate.desc; cstate.page = 0; crefresh();
    });
    document.getElementById("cq").addEventListener("input", function (e) {
      cstate.q = e.target.value.trim().toLowerCase(); cstate.page = 0; crefresh();
    });
    document.getElementById("cmin").addEventListener("input", function (e) {
      cstate.min = numberOrNull(e.target); cstate.page = 0; crefresh();
    });
    document.getElementById("cprev").addEventListener("click", function () {
      cstate.page = Math.max(0, cstate.page - 1); renderCopies();
      document.getElementById("copies").scrollIntoView({ block: "start" });
    });
    document.getElementById("cnext").addEventListener("click", function () {
      cstate.page += 1; renderCopies();
      document.getElementById("copies").scrollIntoView({ block: "start" });
    });
  }

  /* ------------------------------------------------------------------ print */

  var printed = false;
  function fillPrint() {
    if (printed) return;
    printed = true;
    var out = document.getElementById("print-all");
    var order = [], chars = 0;
    (view.length ? view : pairs).some(function (p) {
      var size = (docs[p[A]][2] || 0) + (docs[p[B]][2] || 0);
      if (order.length && (order.length >= table.print_most || chars + size > table.print_chars)) return true;
      order.push(p);
      chars += size;
      return false;
    });
    out.appendChild(el("p", { class: "print-note" }, [
      order.length === pairs.length
        ? "Printed: the summary and all " + pairs.length + (pairs.length === 1 ? " pair" : " pairs") +
          ", each with its texts in full."
        : "Printed: the summary and the first " + order.length + " of " + pairs.length.toLocaleString("en") +
          " pairs in the table's order, each with its texts in full (at most " + table.print_most +
          " pairs and " + table.print_chars.toLocaleString("en") +
          " characters of text); the other pairs are on this page on screen and in the JSON report."]));
    order.forEach(function (p) {
      var x = entry("pair", p[NUM]), pd = detailOf(x);
      var section = el("section", { class: "print-pair" }, [pairHeading(x, "h3"), pairFacts(x), docsBox(x)]);
      if (pd && pd.r) section.appendChild(alignedView(x));
      else if (pd && p[ACOV] !== null) section.appendChild(passageList(x, null));
      out.appendChild(section);
    });
    out.querySelectorAll("mark").forEach(function (m) { m.removeAttribute("tabindex"); });
  }

  /* ------------------------------------------------------------------ events */

  function partners(mark) {
    var box = mark.closest(".aligned");
    return box ? box.querySelectorAll('mark[data-k="' + mark.dataset.k + '"]') : [];
  }
  function light(mark) {
    document.querySelectorAll("mark.hot").forEach(function (m) { m.classList.remove("hot"); });
    if (mark) partners(mark).forEach(function (m) { m.classList.add("hot"); });
  }
  function toPartner(mark) {
    var side = mark.closest(".cell").classList.contains("a") ? "b" : "a";
    var target = Array.prototype.find.call(partners(mark), function (m) {
      return m.closest(".cell").classList.contains(side);
    });
    centre(target);
  }
  document.addEventListener("mouseover", function (e) {
    light(e.target.closest ? e.target.closest("mark[data-k]") : null);
  });
  document.addEventListener("focusin", function (e) {
    light(e.target.closest ? e.target.closest("mark[data-k]") : null);
  });
  document.addEventListener("click", function (e) {
    var mark = e.target.closest && e.target.closest("mark[data-k]");
    if (mark) toPartner(mark);
  });
  document.addEventListener("keydown", function (e) {
    var mark = e.target.closest && e.target.closest("mark[data-k]");
    if (mark && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      toPartner(mark);
      return;
    }
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName);
    if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && current.box) {
      if (e.key === "n") goDiff(1);
      if (e.key === "p") goDiff(-1);
    }
  });
  window.addEventListener("hashchange", function () {
    var x = opened();
    if (x) showPair(x, true);
  });
  window.addEventListener("beforeprint", fillPrint);

  if (copies.length) {
    setUpCopies();
    crefresh();
  }
  if (pairs.length) {
    setUpTable();
    refresh();
  }
  if (opened()) showPair(opened(), true);
  if (pairs.length && table.print_at_load) fillPrint();
  document.documentElement.setAttribute("data-ready", performance.now().toFixed(1));
})();
