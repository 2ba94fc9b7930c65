// The note page: highlight a code line's evidence, decide with buttons or keys, add a missed code
// from a text selection. Every POST sends the page's note version (optimistic locking) and the
// session's CSRF token; after a saved change the page reloads to show the server's state.
(function () {
  "use strict";
  const page = document.getElementById("note-page");
  if (!page) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const noteId = page.dataset.note;
  const version = Number(page.dataset.version);
  const text = document.getElementById("note-text");
  const message = document.getElementById("message");
  const items = Array.from(document.querySelectorAll(".item"));
  const submitOpen = document.getElementById("submit-open");
  const dialog = document.getElementById("submit-dialog");

  function show(msg) {
    message.textContent = msg;
    message.hidden = false;
    window.scrollTo(0, 0);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(Object.assign({version: version}, body)),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) {
      show(data.error || ("The server refused the change (HTTP " + response.status + ")."));
      return null;
    }
    return data;
  }

  function reloadAt(itemId) {
    history.replaceState(null, "", itemId ? "#item-" + itemId : location.pathname);
    location.reload();
  }

  const textPane = text.closest(".text-pane");
  const sidePane = document.querySelector(".side");

  // Scroll a pane (not the window) so the element shows in its upper third.
  function reveal(element, pane) {
    if (!element || !pane) return;
    const top = element.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    pane.scrollTop = Math.max(0, top - pane.clientHeight / 3);
  }

  function select(item, scroll) {
    items.forEach(function (i) { i.classList.remove("selected"); });
    text.querySelectorAll(".active").forEach(function (s) { s.classList.remove("active"); });
    if (!item) return;
    item.classList.add("selected");
    const marks = text.querySelectorAll('[data-keys~="i' + item.dataset.item + '"]');
    marks.forEach(function (s) { s.classList.add("active"); });
    if (scroll && marks.length) reveal(marks[0], textPane);
  }

  function nextUndecided(item) {
    const after = items.slice(items.indexOf(item) + 1).concat(items.slice(0, items.indexOf(item)));
    const next = after.find(function (i) { return i.classList.contains("undecided"); });
    return (next || item).dataset.item;
  }

  async function act(item, action) {
    let body;
    if (action === "accept") body = {decision: "accepted"};
    else if (action === "remove") body = {decision: "removed"};
    else if (action === "reject") {
      const reason = item.querySelector(".reason");
      if (!reason.value) { show("Choose a reason for the rejection."); reason.focus(); return; }
      body = {decision: "rejected", reason: reason.value, reason_text: item.querySelector(".reason-text").value};
    } else if (action === "modify") {
      body = {decision: "modified", code: item.querySelector(".new-code").value,
              units: Number(item.querySelector(".new-units").value)};
    }
    const data = await post("/api/notes/" + noteId + "/items/" + item.dataset.item, body);
    if (data) reloadAt(nextUndecided(item));
  }

  items.forEach(function (item) {
    item.addEventListener("click", function () { select(item, true); });
    item.querySelectorAll(".controls button").forEach(function (button) {
      button.addEventListener("click", function (e) { e.stopPropagation(); act(item, button.dataset.action); });
    });
  });

  // A highlighted span selects its code line.
  text.addEventListener("click", function (e) {
    const span = e.target.closest("[data-keys]");
    if (!span || !window.getSelection().isCollapsed) return;
    const key = span.dataset.keys.split(" ").find(function (k) { return k[0] === "i"; });
    const item = key && document.getElementById("item-" + key.slice(1));
    if (item) { select(item, false); reveal(item, sidePane); }
  });

  // Links to an offset (evidence, sections, mentions not counted) scroll the text there.
  document.querySelectorAll("[data-jump]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      e.preventDefault();
      const target = Number(link.dataset.jump);
      const spans = Array.from(text.querySelectorAll("[data-start]"));
      const span = spans.filter(function (s) { return Number(s.dataset.start) <= target; }).pop() || spans[0];
      if (!span) return;
      reveal(span, textPane);
      span.classList.add("flash");
      setTimeout(function () { span.classList.remove("flash"); }, 1200);
    });
  });

  // Offsets of a selection, in code points into the note as stored (segments carry their start).
  function offsetOf(node, offset) {
    if (node === text) {
      const child = text.children[offset];
      return child ? Number(child.dataset.start) : Number(text.dataset.length);
    }
    const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const segment = element.closest("[data-start]");
    if (!segment || !text.contains(segment)) return null;
    let units = offset;
    if (node.nodeType !== Node.TEXT_NODE) {
      units = 0;
      for (let i = 0; i < offset; i++) units += segment.childNodes[i].textContent.length;
    }
    return Number(segment.dataset.start) + Array.from(segment.textContent.slice(0, units)).length;
  }

  const addButton = document.getElementById("add-button");
  const selectionText = document.getElementById("selection-text");
  let picked = null;
  if (addButton) {
    document.addEventListener("selectionchange", function () {
      const sel = window.getSelection();
      if (!sel.rangeCount || sel.isCollapsed) return;  // keep the last selection while choosing the code
      const range = sel.getRangeAt(0);
      if (!text.contains(range.commonAncestorContainer)) return;
      const start = offsetOf(range.startContainer, range.startOffset);
      const end = offsetOf(range.endContainer, range.endOffset);
      if (start === null || end === null || end <= start) return;
      picked = {start: start, end: end};
      selectionText.textContent = sel.toString().slice(0, 300);
      addButton.disabled = false;
    });
    addButton.addEventListener("click", async function () {
      if (!picked) return;
      const data = await post("/api/notes/" + noteId + "/items", {
        code: document.getElementById("add-code").value, units: Number(document.getElementById("add-units").value),
        start: picked.start, end: picked.end});
      if (data) reloadAt(data.item);
    });
  }

  if (submitOpen) submitOpen.addEventListener("click", function () { dialog.showModal(); });
  const cancel = document.getElementById("submit-cancel");
  if (cancel) cancel.addEventListener("click", function () { dialog.close(); });

  document.addEventListener("keydown", function (e) {
    if (e.target.closest("input, select, textarea, dialog") || e.ctrlKey || e.metaKey || e.altKey) return;
    const current = document.querySelector(".item.selected") || items[0];
    const index = items.indexOf(current);
    const control = function (selector) { return current && current.querySelector(selector); };
    switch (e.key) {
      case "j": select(items[Math.min(index + 1, items.length - 1)], true); reveal(document.querySelector(".item.selected"), sidePane); break;
      case "k": select(items[Math.max(index - 1, 0)], true); reveal(document.querySelector(".item.selected"), sidePane); break;
      case "a": if (control('[data-action="accept"]')) act(current, "accept"); break;
      case "r": if (control(".reason")) control(".reason").focus(); break;
      case "m": if (control(".new-code")) control(".new-code").focus(); break;
      case "s": if (submitOpen && !submitOpen.disabled) dialog.showModal(); break;
      case "n": document.getElementById("next-note").click(); break;
      default: return;
    }
    e.preventDefault();
  });

  const fromHash = location.hash.startsWith("#item-") && document.getElementById(location.hash.slice(1));
  const first = fromHash || items.find(function (i) { return i.classList.contains("undecided"); }) || items[0];
  select(first, true);
  reveal(first, sidePane);
  page.dataset.ready = "true";  // handlers attached (browser tests wait for this)
})();
