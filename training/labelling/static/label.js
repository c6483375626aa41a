// cleaner label: the labelling page. Plain JavaScript, served by the package (no CDN, no build step).
// A dump's text is always put on the page with textContent, never as markup.
"use strict";

const state = {
  pages: [],          // summaries from /api/pages
  number: 0,          // the number of the page shown (the server's; its position in the order may change)
  page: null,         // /api/pages/N: lines with text, score, tag
  tags: [],           // the labels as edited: "C", "B" or null (blank line)
  saved: [],          // the labels as last saved or pre-labelled, to mark changes
  cursor: -1,         // index of the line with the keyboard cursor
  anchor: -1,         // the last clicked line, or where a keyboard selection started
  selection: null,    // [from, to] inclusive, or null
  undo: [],           // [{changes: [[index, before], ...], cursor}]
  drafts: new Map(),  // draftKey(page) -> edited tags of pages left unsaved
  drag: null,         // {start, label, before}
  dirty: false,
  polling: null,
};

const $ = (id) => document.getElementById(id);

// A refusal throws with the server's reason, but for the statuses in `accepted` (a retrain already
// running answers 409 with its progress).
async function api(path, body, accepted = []) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body),
  };
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {  // no answer at all ("Failed to fetch"): the server is not running
    throw new Error("cannot reach the server (stopped?): start cleaner label again; "
      + "unsaved edits are kept in this browser");
  }
  // The body is read once, as text, then parsed: an error that is not JSON (a plain-text refusal,
  // a server's own 500 page) is shown as it is. (json() then text() read it twice: the second read
  // threw "body stream already read", and that was shown instead of the error.)
  let text = "";
  try { text = await response.text(); } catch (error) { /* the connection dropped mid-body */ }
  let data = null;
  try { data = JSON.parse(text); } catch (error) { data = {error: text.trim()}; }
  if (!response.ok && !accepted.includes(response.status)) {
    throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
  }
  return data;
}

function status(text, kind) {
  const element = $("status");
  element.textContent = text;
  element.className = kind || "";
}

function nonBlank(index) { return state.tags[index] !== null; }

function step(from, direction) {
  for (let i = from + direction; i >= 0 && i < state.tags.length; i += direction) {
    if (nonBlank(i)) return i;
  }
  return from;
}

// --- changing labels, with undo --------------------------------------------------------------

function setTags(indices, label, record = true) {
  const changes = [];
  for (const i of indices) {
    if (!nonBlank(i) || state.tags[i] === label) continue;
    changes.push([i, state.tags[i]]);
    state.tags[i] = label;
  }
  if (changes.length && record) state.undo.push({changes, cursor: state.cursor});
  if (changes.length) markDirty();
  paint(changes.map(([i]) => i));
  return changes;
}

function undo() {
  const last = state.undo.pop();
  if (!last) { status("nothing to undo"); return; }
  for (const [i, before] of last.changes) state.tags[i] = before;
  markDirty();
  paint(last.changes.map(([i]) => i));
  moveCursor(last.cursor);
}

function range(a, b) {
  const out = [];
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) out.push(i);
  return out;
}

function block(index) {
  // The run of non-blank lines around `index` labelled like it (blank lines do not end it).
  const label = state.tags[index];
  let from = index, to = index;
  for (let i = index - 1; i >= 0; i--) { if (state.tags[i] === null) continue; if (state.tags[i] !== label) break; from = i; }
  for (let i = index + 1; i < state.tags.length; i++) { if (state.tags[i] === null) continue; if (state.tags[i] !== label) break; to = i; }
  return range(from, to);
}

function targets() {
  return state.selection ? range(state.selection[0], state.selection[1]) : (state.cursor >= 0 ? [state.cursor] : []);
}

function flip(label) { return label === "C" ? "B" : "C"; }

// Unsaved edits are kept per page in memory and in the browser's storage for this server's origin,
// so that leaving a page unsaved, or closing the tab, loses nothing while the server runs. A draft
// belongs to the page's source and the digest of its text: never applied to another text.
function draftKey(page) { return `cleaner-label-draft:${page.where}:${page.digest}`; }

function keepDraft() {
  if (!state.page) return;
  state.drafts.set(draftKey(state.page), state.tags.slice());
  try { localStorage.setItem(draftKey(state.page), JSON.stringify(state.tags)); } catch (error) { /* no storage */ }
}

function draftOf(page) {
  let draft = state.drafts.get(draftKey(page));
  if (!draft) {
    try { draft = JSON.parse(localStorage.getItem(draftKey(page)) || "null"); } catch (error) { draft = null; }
  }
  const fits = Array.isArray(draft) && draft.length === page.lines.length
    && draft.every((tag, i) => (tag === null) === (page.lines[i].tag === null) && (tag === null || tag === "C" || tag === "B"));
  return fits ? draft.slice() : null;
}

function dropDraft(page) {
  state.drafts.delete(draftKey(page));
  try { localStorage.removeItem(draftKey(page)); } catch (error) { /* no storage */ }
}

function markDirty() {
  state.dirty = true;
  keepDraft();
  status("unsaved changes", "dirty");
}

// --- drawing ----------------------------------------------------------------------------------

function render() {
  const container = $("page");
  container.replaceChildren();
  const fragment = document.createDocumentFragment();
  state.page.lines.forEach((line, i) => {
    const row = document.createElement("div");
    row.className = "line";
    row.dataset.index = String(i);
    if (line.tag === null) {
      row.classList.add("blank");
    } else {
      const tag = document.createElement("span"); tag.className = "tag";
      const number = document.createElement("span"); number.className = "number"; number.textContent = String(i + 1);
      const score = document.createElement("span"); score.className = "score";
      score.textContent = line.score === null ? "" : line.score.toFixed(2);
      const text = document.createElement("span"); text.className = "text"; text.textContent = line.text;
      row.title = `P(content) = ${line.score === null ? "-" : line.score.toFixed(3)}`;
      row.append(tag, number, score, text);
    }
    fragment.append(row);
  });
  container.append(fragment);
  paint(range(0, state.tags.length - 1));
}

function rowOf(i) { return $("page").children[i]; }

function paint(indices) {
  const selected = state.selection ? [Math.min(...state.selection), Math.max(...state.selection)] : null;
  for (const i of indices) {
    const row = rowOf(i);
    if (!row || state.tags[i] === null) continue;
    row.classList.toggle("C", state.tags[i] === "C");
    row.classList.toggle("B", state.tags[i] === "B");
    row.classList.toggle("changed", state.tags[i] !== state.saved[i]);
    row.querySelector(".tag").textContent = state.tags[i];
    row.classList.toggle("selected", Boolean(selected && i >= selected[0] && i <= selected[1]));
    row.setAttribute("aria-label", `${state.tags[i] === "C" ? "content" : "boilerplate"}: line ${i + 1}`);
  }
}

function paintSelection(before) {
  const indices = new Set(before ? range(before[0], before[1]) : []);
  if (state.selection) for (const i of range(state.selection[0], state.selection[1])) indices.add(i);
  paint([...indices]);
}

function moveCursor(i, extend = false) {
  const previous = state.cursor;
  const before = state.selection;
  if (previous >= 0 && rowOf(previous)) rowOf(previous).classList.remove("cursor");
  if (extend) {
    if (!state.selection) state.selection = [previous >= 0 ? previous : i, i];
    else state.selection = [state.selection[0], i];
  } else {
    state.selection = null;
  }
  state.cursor = i;
  paintSelection(before);
  const row = rowOf(i);
  if (row) {
    row.classList.add("cursor");
    row.scrollIntoView({block: "nearest"});
  }
}

function drawPages() {
  const list = $("pages");
  list.replaceChildren();
  for (const page of state.pages) {
    const item = document.createElement("li");
    item.textContent = `${page.name} (${page.uncertain} unsure)`;
    item.title = page.where;
    item.dataset.number = String(page.number);
    item.classList.toggle("saved", page.saved);
    item.classList.toggle("current", page.number === state.number);
    list.append(item);
  }
  $("position").textContent = `page ${position() + 1} of ${state.pages.length}`;
}

// --- pages ------------------------------------------------------------------------------------

async function loadPages() {
  const data = await api("/api/pages");
  state.pages = data.pages;
  const kinds = $("kind");
  if (!kinds.options.length) {
    for (const kind of data.kinds) {
      const option = document.createElement("option");
      option.value = kind; option.textContent = kind || "-";
      kinds.append(option);
    }
  }
  $("model").textContent = `pre-labelled by ${data.model}; Retrain writes ${data.model_out}; labels in ${data.labels}`;
  const shipped = data.plus_shipped ? " plus the pages the shipped model learnt from" : "";
  $("retrain").title = `Retrain the model on ${data.labels}/${shipped} (r)`;
  showRetrain(data.retrain);
  return data;
}

function position() { return state.pages.findIndex((page) => page.number === state.number); }

function openAt(index) {
  // The page at `index` in the current order, if there is one.
  if (index >= 0 && index < state.pages.length) openPage(state.pages[index].number);
}

async function openPage(number) {
  const listed = state.pages.find((page) => page.number === number);
  if (!listed) return;
  if (state.page && state.dirty) keepDraft();
  let page;
  try {
    // The page listed under this number, named by its source and text: after a restart of the
    // server the number may be another page's, and the server refuses it (409).
    const query = new URLSearchParams({where: listed.where, digest: listed.digest});
    page = await api(`/api/pages/${number}?${query}`);
  } catch (error) {
    status(`cannot open the page: ${error.message}`, "error");
    return;
  }
  state.number = number;
  state.page = page;
  state.saved = page.lines.map((line) => line.tag);
  const draft = draftOf(page);
  state.tags = draft || state.saved.slice();
  state.dirty = Boolean(draft);
  state.undo = []; state.selection = null; state.anchor = -1; state.cursor = -1;
  $("name").value = page.name; $("site").value = page.site; $("language").value = page.language;
  $("kind").value = page.kind || "";
  render();
  drawPages();
  moveCursor(step(-1, 1));
  status(page.saved ? "saved" : (state.dirty ? "unsaved changes" : "pre-labelled by the model: fix it, then save"),
         state.dirty ? "dirty" : "");
  $("page").focus({preventScroll: true});
  window.scrollTo(0, 0);  // a new page starts at its top, under the bar
}

async function save(thenNext) {
  try {
    const result = await api(`/api/pages/${state.number}`, {
      where: state.page.where, digest: state.page.digest,  // the page shown, not whatever has its number now
      name: $("name").value.trim(), site: $("site").value.trim(), language: $("language").value.trim(),
      kind: $("kind").value, tags: state.tags,
    });
    state.dirty = false;
    dropDraft(state.page);
    state.saved = state.tags.slice();
    paint(range(0, state.tags.length - 1));
    status(`saved ${result.saved}`);
    await loadPages();
    drawPages();
    if (thenNext) openAt(position() + 1);
  } catch (error) {
    status(`not saved: ${error.message}`, "error");
  }
}

// --- retraining -------------------------------------------------------------------------------

function showRetrain(progress) {
  const box = $("progress");
  const bar = $("progress-bar");
  $("retrain").disabled = progress.state === "running";
  if (progress.state === "idle") { box.hidden = true; return; }
  box.hidden = false;
  if (progress.state === "running" && progress.total) { bar.max = progress.total; bar.value = progress.done; }
  else if (progress.state === "running") { bar.removeAttribute("value"); }
  else { bar.max = 1; bar.value = 1; }
  const what = progress.state === "running" ? `${progress.phase} ${progress.total ? `${progress.done}/${progress.total}` : ""}`
    : progress.state === "failed" ? `failed: ${progress.message}` : progress.message;
  $("progress-text").textContent = `${what} (${progress.seconds} s)`;
  drawScores(progress.scores || {});
}

function drawScores(scores) {
  const box = $("scores-table");
  box.replaceChildren();
  const sites = Object.keys(scores);
  if (!sites.length) return;
  const first = scores[sites[0]].prelabel_model;
  const caption = document.createElement("p");
  caption.className = "small";
  caption.textContent = "char F1 of each labelled page against your labels: first, predicted by a model trained "
    + "without it (leave one page out)" + (first ? `; then, for comparison, by ${first}, which pre-labelled them` : "")
    + ". It measures agreement with your labels: a page saved with its pre-labels uncorrected scores high "
    + "whatever its mistakes (marked unedited).";
  const table = document.createElement("table");
  table.className = "scores";
  const number = (value) => value === null || value === undefined ? "-" : value.toFixed(3);
  for (const site of sites) {
    const unedited = new Set(scores[site].unedited || []);
    const prelabel = scores[site].prelabel || {};
    const head = table.insertRow(); head.className = "site";
    head.insertCell().textContent = site;
    const mean = head.insertCell(); mean.className = "num";
    mean.textContent = number(scores[site].char_f1);
    const theirs = head.insertCell(); theirs.className = "num prelabel";
    theirs.textContent = number(scores[site].prelabel_char_f1);
    const addRow = (name, value) => {
      const row = table.insertRow();
      row.insertCell().textContent = unedited.has(name) ? `${name} (unedited)` : name;
      if (unedited.has(name)) row.className = "unedited";
      const cell = row.insertCell(); cell.className = "num"; cell.textContent = value;
      const other = row.insertCell(); other.className = "num prelabel"; other.textContent = number(prelabel[name]);
    };
    for (const [name, value] of Object.entries(scores[site].pages)) addRow(name, value.toFixed(3));
    for (const [name, reason] of Object.entries(scores[site].unscored || {})) {
      // A page left unscored, with the reason (a "-" alone said nothing).
      addRow(name, "-");
      const why = table.insertRow().insertCell(); why.colSpan = 3; why.className = "small";
      why.textContent = `not scored: ${reason}`;
    }
  }
  box.append(caption, table);
}

async function retrain() {
  try {
    const progress = await api("/api/retrain", {}, [409]);
    showRetrain(progress);
    poll();
  } catch (error) {
    status(`retrain: ${error.message}`, "error");
  }
}

function poll() {
  if (state.polling) return;
  state.polling = setInterval(async () => {
    let progress;
    try { progress = await api("/api/retrain"); } catch (error) { return; }
    showRetrain(progress);
    if (progress.state !== "running") {
      clearInterval(state.polling);
      state.polling = null;
      await loadPages();  // a new order; the page shown keeps its number
      drawPages();
      if (progress.state === "done" && progress.switched) {
        status("retrained: the pages you open next are pre-labelled by the new model");
      } else if (progress.state === "done") {
        status("retrained, but the new model learnt from too few pages to pre-label with (see Retrain)", "dirty");
      }
    }
  }, 1000);
}

// --- input ------------------------------------------------------------------------------------

function lineIndex(target) {
  const row = target.closest && target.closest(".line");
  if (!row || row.classList.contains("blank")) return -1;
  return Number(row.dataset.index);
}

function onMouseDown(event) {
  const i = lineIndex(event.target);
  if (i < 0 || event.button !== 0) return;
  event.preventDefault();
  $("page").focus({preventScroll: true});
  if (event.shiftKey && state.anchor >= 0) {
    setTags(range(state.anchor, i), state.tags[state.anchor]);
    moveCursor(i);
    return;
  }
  const label = flip(state.tags[i]);
  state.drag = {start: i, label, before: state.tags.slice(), last: i};
  setTags([i], label, false);
  state.anchor = i;
  moveCursor(i);
}

function onMouseOver(event) {
  if (!state.drag) return;
  const i = lineIndex(event.target);
  if (i < 0 || i === state.drag.last) return;
  state.drag.last = i;
  const wanted = new Set(range(state.drag.start, i));
  const restore = [];
  for (let j = 0; j < state.tags.length; j++) {
    if (!wanted.has(j) && state.tags[j] !== state.drag.before[j]) { state.tags[j] = state.drag.before[j]; restore.push(j); }
  }
  paint(restore);
  setTags([...wanted], state.drag.label, false);
  moveCursor(i);
}

function onMouseUp() {
  if (!state.drag) return;
  const changes = [];
  state.drag.before.forEach((before, j) => { if (state.tags[j] !== before) changes.push([j, before]); });
  if (changes.length) state.undo.push({changes, cursor: state.drag.start});
  state.drag = null;
}

function onKey(event) {
  const inField = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if (inField) {
    if (event.key === "Escape") document.activeElement.blur();
    else if (event.key === "Enter") { event.preventDefault(); save(false); }
    return;
  }
  if (!state.page || event.altKey || event.metaKey) return;
  const key = event.key;
  if (event.ctrlKey) {
    if (key === "z" || key === "Z") { event.preventDefault(); undo(); }
    return;
  }
  let handled = true;
  if (key === "j" || key === "J" || key === "ArrowDown") moveCursor(step(state.cursor, 1), event.shiftKey);
  else if (key === "k" || key === "K" || key === "ArrowUp") moveCursor(step(state.cursor, -1), event.shiftKey);
  else if (key === "c") setTags(targets(), "C");
  else if (key === "b") setTags(targets(), "B");
  else if (key === "C" && state.cursor >= 0) setTags(block(state.cursor), "C");
  else if (key === "B" && state.cursor >= 0) setTags(block(state.cursor), "B");
  else if (key === " " || key === "x") {
    const indices = targets();
    if (indices.length) setTags(indices, flip(state.tags[state.cursor >= 0 ? state.cursor : indices[0]]));
  }
  else if (key === "u") undo();
  else if (key === "s") save(false);
  else if (key === "Enter") save(true);
  else if (key === "n") openAt(position() + 1);
  else if (key === "p") openAt(position() - 1);
  else if (key === "v") toggleScores();
  else if (key === "r") retrain();
  else if (key === "Escape") { const before = state.selection; state.selection = null; paintSelection(before); }
  else handled = false;
  if (handled) event.preventDefault();
}

function toggleScores() {
  const on = $("page").classList.toggle("show-scores");
  $("scores").setAttribute("aria-pressed", String(on));
}

window.addEventListener("beforeunload", (event) => {
  if (state.dirty) { event.preventDefault(); event.returnValue = ""; }
});

document.addEventListener("DOMContentLoaded", async () => {
  $("page").addEventListener("mousedown", onMouseDown);
  $("page").addEventListener("mouseover", onMouseOver);
  document.addEventListener("mouseup", onMouseUp);
  document.addEventListener("keydown", onKey);
  $("prev").addEventListener("click", () => openAt(position() - 1));
  $("next").addEventListener("click", () => openAt(position() + 1));
  $("save").addEventListener("click", () => save(false));
  $("scores").addEventListener("click", toggleScores);
  $("retrain").addEventListener("click", retrain);
  $("pages").addEventListener("click", (event) => {
    const item = event.target.closest("li");
    if (item) openPage(Number(item.dataset.number));
  });
  try {
    const data = await loadPages();
    if (data.retrain.state === "running") poll();
    await openPage(state.pages[0].number);
    document.body.dataset.ready = "true";
  } catch (error) {
    status(`cannot load the pages: ${error.message}`, "error");
  }
});
