/* repair review page: filters, per-edit decisions, export. No network, no libraries.
 * Input text only ever reaches the page through textContent / createTextNode,
 * never innerHTML, so whatever a file contains is shown as text. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("repair-data").textContent);
  var RUN = DATA.run, FILES = DATA.files, EDITS = DATA.edits;
  var N = EDITS.length;
  var PAGE_SIZES = [25, 50, 100, 250];
  var STORE_KEY = RUN.edits_sha256 ? "repair-review:" + RUN.edits_sha256 : "";

  // ---------------------------------------------------------------- state
  var dec = new Uint8Array(N); // 1 accept, 0 reject
  var pick = new Uint16Array(N); // index into choices(e)
  var overlaps = []; // per edit: indices of edits of the same file it overlaps
  var detectors = [];
  var filter = { file: "", det: "", min: null, max: null, dec: "all", q: "" };
  var view = []; // indices matching the filter, in run order
  var page = 0, pageSize = 50;

  function choices(e) {
    var out = [e.p];
    for (var k = 0; k < e.a.length; k++) out.push(e.a[k][0]);
    return out;
  }
  function confs(e) {
    var out = [e.cf];
    for (var k = 0; k < e.a.length; k++) out.push(e.a[k][1]);
    return out;
  }
  function isDefault(i) { return dec[i] === (EDITS[i].ap ? 1 : 0) && pick[i] === 0; }

  function resetDefaults() {
    for (var i = 0; i < N; i++) { dec[i] = EDITS[i].ap ? 1 : 0; pick[i] = 0; }
  }

  function computeOverlaps() {
    var byFile = {};
    for (var i = 0; i < N; i++) { overlaps.push([]); (byFile[EDITS[i].f] = byFile[EDITS[i].f] || []).push(i); }
    Object.keys(byFile).forEach(function (f) {
      var list = byFile[f].slice().sort(function (x, y) { return EDITS[x].s - EDITS[y].s || EDITS[x].e - EDITS[y].e; });
      for (var a = 0; a < list.length; a++) {
        var ea = EDITS[list[a]];
        for (var b = a + 1; b < list.length && EDITS[list[b]].s < ea.e; b++) {
          overlaps[list[a]].push(list[b]); overlaps[list[b]].push(list[a]);
        }
      }
    });
  }

  // ---------------------------------------------------------------- persistence
  var saveTimer = null;
  function save() {
    if (!STORE_KEY) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () {
      var changed = {};
      for (var i = 0; i < N; i++) if (!isDefault(i)) changed[i] = [dec[i], pick[i]];
      try { localStorage.setItem(STORE_KEY, JSON.stringify({ v: 1, n: N, d: changed })); } catch (err) { /* storage off */ }
    }, 150);
  }
  function restore() {
    if (!STORE_KEY) return 0;
    var raw = null;
    try { raw = localStorage.getItem(STORE_KEY); } catch (err) { return 0; }
    if (!raw) return 0;
    var saved; try { saved = JSON.parse(raw); } catch (err) { return 0; }
    if (!saved || saved.v !== 1 || saved.n !== N) return 0;
    var count = 0;
    Object.keys(saved.d).forEach(function (key) {
      var i = +key, pair = saved.d[key];
      if (i >= 0 && i < N && pair && pair[1] < choices(EDITS[i]).length) { dec[i] = pair[0] ? 1 : 0; pick[i] = pair[1]; count++; }
    });
    return count;
  }

  // ---------------------------------------------------------------- decisions
  function setDecision(i, accept, quiet) {
    var knocked = [];
    if (accept) {
      overlaps[i].forEach(function (j) { if (dec[j]) { dec[j] = 0; knocked.push(j); } });
    }
    dec[i] = accept ? 1 : 0;
    if (!quiet && knocked.length) {
      toast("Rejected " + knocked.length + " overlapping edit" + (knocked.length > 1 ? "s" : "") + ": " +
        knocked.map(function (j) { return where(j); }).join(", "));
    }
    return knocked;
  }
  function setChoice(i, k) {
    pick[i] = k;
    return setDecision(i, true, false);
  }

  function decisionsDoc() {
    return {
      format: "repair-decisions",
      version: 1,
      run_id: RUN.id,
      edits_sha256: RUN.edits_sha256,
      generator: RUN.generator,
      decisions: EDITS.map(function (e, i) {
        return { file: FILES[e.f].file, start: e.s, end: e.e, spun: e.sp,
          decision: dec[i] ? "accept" : "reject", choice: choices(e)[pick[i]] };
      })
    };
  }

  function exportDecisions() {
    var blob = new Blob([JSON.stringify(decisionsDoc(), null, 1) + "\n"], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = "decisions-" + (RUN.id || "run") + ".json";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    toast("Saved " + a.download + ": " + tallyText());
  }

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function shown(s) { return s.replace(/\r\n?/g, "\n"); } // display only; offsets use the raw text
  function shellQuote(s) { return /^[\w@%+=:,.\/-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'"; }
  function where(i) { var e = EDITS[i]; return FILES[e.f].file + ":" + e.l + ":" + e.c; }
  function band(c) { return c >= 0.9 ? "hi" : c >= 0.7 ? "mid" : "lo"; }
  function fmt(c) { return (Math.round(c * 100) / 100).toFixed(2); }
  var toastTimer = null;
  function toast(message) {
    var t = document.getElementById("toast");
    t.textContent = message;
    t.classList.add("show");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.classList.remove("show"); }, 3500);
  }

  // ---------------------------------------------------------------- filtering
  function matches(i) {
    var e = EDITS[i];
    if (filter.file !== "" && e.f !== +filter.file) return false;
    if (filter.det && e.d !== filter.det) return false;
    if (filter.min !== null && e.cf < filter.min) return false;
    if (filter.max !== null && e.cf > filter.max) return false;
    if (filter.dec === "accept" && !dec[i]) return false;
    if (filter.dec === "reject" && dec[i]) return false;
    if (filter.dec === "changed" && isDefault(i)) return false;
    if (filter.q) {
      var q = filter.q;
      if (e.sp.toLowerCase().indexOf(q) < 0 && e.p.toLowerCase().indexOf(q) < 0 && e.r.toLowerCase().indexOf(q) < 0) return false;
    }
    return true;
  }
  function refilter(keepPage) {
    view = [];
    for (var i = 0; i < N; i++) if (matches(i)) view.push(i);
    if (!keepPage) page = 0;
    page = Math.min(page, Math.max(0, Math.ceil(view.length / pageSize) - 1));
    renderPage();
  }
  function readFilters() {
    var num = function (id) { var v = document.getElementById(id).value; return v === "" || isNaN(+v) ? null : +v; };
    filter.file = document.getElementById("f-file").value;
    filter.det = document.getElementById("f-det").value;
    filter.min = num("f-min");
    filter.max = num("f-max");
    filter.dec = document.getElementById("f-dec").value;
    filter.q = document.getElementById("f-q").value.trim().toLowerCase();
    refilter(false);
  }
  function setFilters(values) {
    var ids = { file: "f-file", det: "f-det", min: "f-min", max: "f-max", dec: "f-dec", q: "f-q" };
    Object.keys(values).forEach(function (k) {
      document.getElementById(ids[k]).value = values[k] === null ? "" : values[k];
    });
    readFilters();
  }

  // ---------------------------------------------------------------- rendering
  // Context: the rest of the edit's line on each side, at most CONTEXT characters, cut at a space.
  var CONTEXT = 240;
  function context(i, box) {
    var e = EDITS[i], text = FILES[e.f].text;
    if (text === null || text === undefined) {
      box.appendChild(renderChange(i));
      return;
    }
    var from = Math.max(0, e.js - CONTEXT), to = Math.min(text.length, e.je + CONTEXT);
    var before = text.slice(from, e.js), after = text.slice(e.je, to);
    var cutBefore = from > 0, cutAfter = to < text.length;
    var nl = Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r"));
    if (nl >= 0) { before = before.slice(nl + 1); cutBefore = false; }
    else if (cutBefore) { var sp = before.indexOf(" "); if (sp >= 0 && sp < 30) before = before.slice(sp + 1); }
    var nl2 = after.search(/[\r\n]/);
    if (nl2 >= 0) { after = after.slice(0, nl2); cutAfter = false; }
    else if (cutAfter) { var sp2 = after.lastIndexOf(" "); if (sp2 > after.length - 30) after = after.slice(0, sp2); }
    if (cutBefore) box.appendChild(el("span", "gap", "… "));
    box.appendChild(document.createTextNode(before));
    box.appendChild(renderChange(i));
    box.appendChild(document.createTextNode(after));
    if (cutAfter) box.appendChild(el("span", "gap", " …"));
  }
  function renderChange(i) {
    var e = EDITS[i];
    var frag = document.createDocumentFragment();
    if (dec[i]) {
      frag.appendChild(el("del", "", shown(e.sp)));
      frag.appendChild(el("ins", "", shown(choices(e)[pick[i]])));
    } else {
      var m = el("mark", "kept", shown(e.sp));
      m.title = "rejected: kept as is (proposal: " + choices(e)[pick[i]] + ")";
      frag.appendChild(m);
    }
    return frag;
  }

  function renderCard(i) {
    var e = EDITS[i];
    var card = el("article", "edit " + (dec[i] ? "accepted" : "rejected"));
    card.id = "edit-" + i;
    card.tabIndex = 0;
    card.setAttribute("data-i", i);
    var head = el("header");
    head.appendChild(el("span", "where", where(i)));
    head.appendChild(el("span", "chip", e.d));
    var conf = el("span", "conf " + band(e.cf), fmt(e.cf));
    conf.title = "confidence";
    head.appendChild(conf);
    if (!isDefault(i)) head.appendChild(el("span", "modified", "changed"));
    head.appendChild(el("span", "state", dec[i] ? "accepted" : "rejected"));
    card.appendChild(head);
    var ctx = el("p", "ctx");
    context(i, ctx);
    card.appendChild(ctx);
    if (e.r) card.appendChild(el("p", "reason", e.r));
    var opts = choices(e), cs = confs(e);
    if (opts.length > 1) {
      var group = el("div", "choices");
      group.setAttribute("role", "radiogroup");
      group.setAttribute("aria-label", "wording");
      opts.forEach(function (text, k) {
        var label = el("label");
        var radio = el("input");
        radio.type = "radio";
        radio.name = "choice-" + i;
        radio.value = k;
        radio.checked = pick[i] === k;
        radio.setAttribute("data-act", "choose");
        label.appendChild(radio);
        label.appendChild(el("span", "", text));
        label.appendChild(el("small", "", fmt(cs[k]) + (k === 0 ? " proposal" : "")));
        group.appendChild(label);
      });
      card.appendChild(group);
    }
    var actions = el("div", "actions");
    var yes = el("button", "accept", "Accept");
    yes.type = "button";
    yes.setAttribute("data-act", "accept");
    yes.setAttribute("aria-pressed", dec[i] ? "true" : "false");
    var no = el("button", "reject", "Reject");
    no.type = "button";
    no.setAttribute("data-act", "reject");
    no.setAttribute("aria-pressed", dec[i] ? "false" : "true");
    actions.appendChild(yes);
    actions.appendChild(no);
    card.appendChild(actions);
    return card;
  }

  function refreshCard(i) {
    var old = document.getElementById("edit-" + i);
    if (!old) return;
    var focused = document.activeElement === old || old.contains(document.activeElement);
    var fresh = renderCard(i);
    old.replaceWith(fresh);
    if (focused) fresh.focus({ preventScroll: true });
  }

  function fileHead(f) {
    var head = el("div", "file-head");
    head.appendChild(el("h3", "", FILES[f].file));
    var total = FILES[f].n;
    head.appendChild(el("span", "muted", total + " finding" + (total === 1 ? "" : "s") + ", " + FILES[f].words + " words"));
    if (FILES[f].text !== null && FILES[f].text !== undefined) {
      var btn = el("button", "link", "Full text with edits");
      btn.type = "button";
      btn.setAttribute("data-act", "fulltext");
      btn.setAttribute("data-f", f);
      head.appendChild(btn);
    }
    return head;
  }

  function renderPage() {
    var box = document.getElementById("edits");
    var frag = document.createDocumentFragment();
    var first = page * pageSize, last = Math.min(view.length, first + pageSize);
    var lastFile = -1;
    for (var n = first; n < last; n++) {
      var i = view[n];
      if (EDITS[i].f !== lastFile) { lastFile = EDITS[i].f; frag.appendChild(fileHead(lastFile)); }
      frag.appendChild(renderCard(i));
    }
    if (!view.length) frag.appendChild(el("p", "empty", N ? "No edit matches these filters." : "This run has no edits to review."));
    box.replaceChildren(frag);
    renderPager("pager-top");
    renderPager("pager-bottom");
  }

  function renderPager(id) {
    var box = document.getElementById(id);
    var pages = Math.max(1, Math.ceil(view.length / pageSize));
    var frag = document.createDocumentFragment();
    var prev = el("button", "", "← Previous"); prev.type = "button"; prev.disabled = page === 0; prev.setAttribute("data-page", page - 1);
    var next = el("button", "", "Next →"); next.type = "button"; next.disabled = page >= pages - 1; next.setAttribute("data-page", page + 1);
    var first = view.length ? page * pageSize + 1 : 0, last = Math.min(view.length, (page + 1) * pageSize);
    frag.appendChild(prev);
    frag.appendChild(el("span", "", "Page " + (page + 1) + " of " + pages + " · edits " + first + "–" + last + " of " + view.length +
      (view.length !== N ? " shown (" + N + " in the run)" : "")));
    frag.appendChild(next);
    frag.appendChild(el("span", "spacer"));
    var label = el("label", "", "per page ");
    var size = el("select");
    size.setAttribute("data-act", "pagesize");
    PAGE_SIZES.forEach(function (s) { var o = el("option", "", String(s)); o.value = s; o.selected = s === pageSize; size.appendChild(o); });
    label.appendChild(size);
    frag.appendChild(label);
    box.replaceChildren(frag);
  }

  function tallyText() {
    var acc = 0, changed = 0;
    for (var i = 0; i < N; i++) { acc += dec[i]; if (!isDefault(i)) changed++; }
    return acc + " accepted · " + (N - acc) + " rejected · " + changed + " changed from the run";
  }
  var tallyQueued = false;
  function updateTally() {
    if (tallyQueued) return;
    tallyQueued = true;
    requestAnimationFrame(function () {
      tallyQueued = false;
      document.getElementById("tally").textContent = tallyText();
      var perFile = {};
      for (var i = 0; i < N; i++) if (dec[i]) perFile[EDITS[i].f] = (perFile[EDITS[i].f] || 0) + 1;
      document.querySelectorAll("[data-live-file]").forEach(function (cell) {
        var f = FILE_INDEX[cell.getAttribute("data-live-file")];
        cell.textContent = f === undefined ? "0" : String(perFile[f] || 0);
      });
    });
  }
  function changed(indices) {
    indices.forEach(refreshCard);
    updateTally();
    save();
  }

  // ---------------------------------------------------------------- full text
  function openFullText(f, focusEdit) {
    var file = FILES[f], text = file.text;
    var body = document.getElementById("fulltext-body");
    document.getElementById("fulltext-title").textContent = file.file;
    var mine = [];
    for (var i = 0; i < N; i++) if (EDITS[i].f === f) mine.push(i);
    // Where edits overlap, show the accepted one, else the longest; the others keep their cards.
    mine.sort(function (x, y) { return EDITS[x].js - EDITS[y].js || dec[y] - dec[x] || EDITS[y].je - EDITS[x].je; });
    var frag = document.createDocumentFragment(), cursor = 0, target = null;
    mine.forEach(function (i) {
      var e = EDITS[i];
      if (e.js < cursor) return; // overlaps one already shown; its card has it
      frag.appendChild(document.createTextNode(shown(text.slice(cursor, e.js))));
      var a = el("a");
      a.href = "#edit-" + i;
      a.setAttribute("data-i", i);
      a.title = where(i) + " · " + fmt(e.cf) + " · " + e.d + (dec[i] ? " · accepted" : " · rejected");
      a.appendChild(renderChange(i));
      frag.appendChild(a);
      if (i === focusEdit) target = a;
      cursor = e.je;
    });
    frag.appendChild(document.createTextNode(shown(text.slice(cursor))));
    body.replaceChildren(frag);
    var dialog = document.getElementById("fulltext");
    if (!dialog.open) dialog.showModal();
    if (target) target.scrollIntoView({ block: "center" });
  }

  function reviewEdit(i) {
    var dialog = document.getElementById("fulltext");
    if (dialog.open) dialog.close();
    var pos = view.indexOf(i);
    if (pos < 0) {
      setFilters({ file: String(EDITS[i].f), det: "", min: null, max: null, dec: "all", q: "" });
      pos = view.indexOf(i);
    }
    page = Math.floor(pos / pageSize);
    renderPage();
    var card = document.getElementById("edit-" + i);
    if (card) { card.scrollIntoView({ block: "center" }); card.focus({ preventScroll: true }); }
  }

  // ---------------------------------------------------------------- threshold
  function applyThreshold() {
    var t = +document.getElementById("threshold").value;
    if (isNaN(t)) { toast("The threshold must be a number between 0 and 1."); return; }
    var high = [], low = [];
    view.forEach(function (i) { (EDITS[i].cf >= t ? high : low).push(i); });
    low.forEach(function (i) { dec[i] = 0; });
    high.forEach(function (i) { dec[i] = 0; });
    high.sort(function (x, y) { return EDITS[y].cf - EDITS[x].cf || x - y; });
    var skipped = 0;
    high.forEach(function (i) {
      if (overlaps[i].some(function (j) { return dec[j]; })) { skipped++; return; }
      dec[i] = 1;
    });
    renderPage();
    updateTally();
    save();
    toast("Accepted " + (high.length - skipped) + ", rejected " + (low.length + skipped) +
      (skipped ? " (" + skipped + " overlap a stronger accepted edit)" : "") + " of " + view.length + " shown edits.");
  }

  // ---------------------------------------------------------------- wiring
  var FILE_INDEX = {};
  function setup() {
    FILES.forEach(function (file, f) { FILE_INDEX[file.file] = f; file.n = 0; });
    EDITS.forEach(function (e) { FILES[e.f].n++; if (detectors.indexOf(e.d) < 0) detectors.push(e.d); });
    detectors.sort();
    computeOverlaps();
    resetDefaults();
    var restored = restore();

    var fileSelect = document.getElementById("f-file");
    FILES.forEach(function (file, f) {
      if (!file.n) return;
      var o = el("option", "", file.file + " (" + file.n + ")");
      o.value = f;
      fileSelect.appendChild(o);
    });
    var detSelect = document.getElementById("f-det");
    detectors.forEach(function (d) { var o = el("option", "", d); o.value = d; detSelect.appendChild(o); });

    ["f-file", "f-det", "f-dec"].forEach(function (id) { document.getElementById(id).addEventListener("change", readFilters); });
    ["f-min", "f-max", "f-q"].forEach(function (id) {
      var timer = null;
      document.getElementById(id).addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(readFilters, 200); });
    });
    document.getElementById("f-clear").addEventListener("click", function () {
      setFilters({ file: "", det: "", min: null, max: null, dec: "all", q: "" });
    });
    document.getElementById("apply-threshold").addEventListener("click", applyThreshold);
    document.getElementById("reset").addEventListener("click", function () {
      resetDefaults(); renderPage(); updateTally(); save(); toast("Back to the run's decisions.");
    });
    document.getElementById("export").addEventListener("click", exportDecisions);
    document.getElementById("fulltext-close").addEventListener("click", function () { document.getElementById("fulltext").close(); });
    document.getElementById("fulltext-body").addEventListener("click", function (ev) {
      var a = ev.target.closest("a[data-i]");
      if (!a) return;
      ev.preventDefault();
      reviewEdit(+a.getAttribute("data-i"));
    });

    var list = document.getElementById("edits");
    list.addEventListener("click", function (ev) {
      var button = ev.target.closest("button[data-act]");
      if (!button) return;
      var act = button.getAttribute("data-act");
      if (act === "fulltext") { openFullText(+button.getAttribute("data-f"), -1); return; }
      var card = button.closest("[data-i]");
      var i = +card.getAttribute("data-i");
      changed([i].concat(setDecision(i, act === "accept", false)));
    });
    list.addEventListener("change", function (ev) {
      var radio = ev.target.closest("input[data-act=choose]");
      if (!radio) return;
      var i = +radio.closest("[data-i]").getAttribute("data-i");
      changed([i].concat(setChoice(i, +radio.value)));
    });
    ["pager-top", "pager-bottom"].forEach(function (id) {
      var box = document.getElementById(id);
      box.addEventListener("click", function (ev) {
        var b = ev.target.closest("button[data-page]");
        if (!b || b.disabled) return;
        page = +b.getAttribute("data-page");
        renderPage();
        if (id === "pager-bottom") document.getElementById("review").scrollIntoView();
      });
      box.addEventListener("change", function (ev) {
        if (ev.target.getAttribute("data-act") !== "pagesize") return;
        var firstShown = page * pageSize;
        pageSize = +ev.target.value;
        page = Math.floor(firstShown / pageSize);
        renderPage();
      });
    });

    // Summary table rows and chart bars act as filters.
    document.querySelectorAll("tr[data-file]").forEach(function (row) {
      row.addEventListener("click", function () {
        var f = FILE_INDEX[row.getAttribute("data-file")];
        if (f === undefined || !FILES[f].n) return;
        setFilters({ file: String(f) });
        document.getElementById("review").scrollIntoView();
      });
    });
    document.querySelectorAll(".bar[data-filter]").forEach(function (bar) {
      var go = function () {
        if (bar.getAttribute("data-filter") === "detector") setFilters({ det: bar.getAttribute("data-value") });
        else setFilters({ min: +bar.getAttribute("data-min"), max: +bar.getAttribute("data-max") });
        document.getElementById("review").scrollIntoView();
      };
      bar.addEventListener("click", go);
      bar.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); } });
    });

    // Name this report's own edits file in the suggested command (the page knows where it was opened from).
    if (location.protocol === "file:") {
      var dir = decodeURIComponent(location.pathname.replace(/[^/]*$/, ""));
      document.getElementById("apply-command").textContent = "repair apply " + shellQuote(dir + "edits.jsonl") +
        " --decisions " + shellQuote("decisions-" + (RUN.id || "run") + ".json") + " --out-dir cleaned/";
    }

    document.addEventListener("keydown", onKey);
    document.getElementById("review").hidden = false;
    document.getElementById("session").hidden = false;
    refilter(false);
    updateTally();
    if (restored) toast("Restored " + restored + " decision" + (restored > 1 ? "s" : "") + " saved in this browser.");
  }

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
    if (document.getElementById("fulltext").open) return;
    var cards = Array.prototype.slice.call(document.querySelectorAll("#edits .edit"));
    if (!cards.length) return;
    var current = ev.target.closest ? ev.target.closest(".edit") : null;
    var at = cards.indexOf(current);
    var move = function (to) {
      var card = cards[Math.max(0, Math.min(cards.length - 1, to))];
      card.focus({ preventScroll: true });
      card.scrollIntoView({ block: "nearest" });
    };
    if (ev.key === "j") { move(at + 1); ev.preventDefault(); return; }
    if (ev.key === "k") { move(at < 0 ? 0 : at - 1); ev.preventDefault(); return; }
    if (at < 0) return;
    var i = +current.getAttribute("data-i");
    if (ev.key === "a" || ev.key === "r") {
      changed([i].concat(setDecision(i, ev.key === "a", false)));
      ev.preventDefault();
    } else if (/^[1-9]$/.test(ev.key) && +ev.key <= choices(EDITS[i]).length) {
      changed([i].concat(setChoice(i, +ev.key - 1)));
      ev.preventDefault();
    }
  }

  // A small API for scripts and tests: read or make decisions without the mouse.
  window.repairReview = {
    decisions: decisionsDoc,
    exportDecisions: exportDecisions,
    accept: function (i) { changed([i].concat(setDecision(i, true, true))); },
    reject: function (i) { changed([i].concat(setDecision(i, false, true))); },
    choose: function (i, k) { changed([i].concat(setChoice(i, k))); },
    count: function () { return N; },
    shown: function () { return view.slice(); }
  };

  setup();
})();
