/* Review page: keyboard categorisation, selection, one reveal at a time. No inline script (CSP). */
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) { return; }
  var tiles = Array.prototype.slice.call(form.querySelectorAll(".tile"));
  var select = document.getElementById("review-category");
  var status = document.getElementById("review-status");
  var help = document.getElementById("keyboard-help");
  var keys = {};
  Array.prototype.forEach.call(select.options, function (option) {
    if (option.dataset.key) { keys[option.dataset.key] = option.value; }
  });
  var revealed = null;
  var selectPage = document.getElementById("review-select-page");

  function current() {
    var index = tiles.indexOf(document.activeElement);
    return index >= 0 ? index : -1;
  }
  function focusAt(index) {
    if (!tiles.length) { return; }
    tiles[Math.max(0, Math.min(tiles.length - 1, index))].focus();
  }
  function columns() {
    if (tiles.length < 2) { return 1; }
    var top = tiles[0].offsetTop, count = 0;
    while (count < tiles.length && tiles[count].offsetTop === top) { count += 1; }
    return Math.max(1, count);
  }
  function veil(tile) {
    var img = tile.querySelector("img");
    if (img && tile.dataset.thumbnail) {
      img.src = tile.dataset.thumbnail;
      img.dataset.veiled = "1";
      tile.classList.remove("revealed");
    }
  }
  function reveal(tile) {
    var img = tile.querySelector("img");
    if (!img || !tile.dataset.thumbnail) { return; }
    if (revealed && revealed !== tile) { veil(revealed); }
    if (tile.classList.contains("revealed")) { veil(tile); revealed = null; return; }
    img.src = tile.dataset.thumbnail + "?reveal=1";
    img.dataset.veiled = "0";
    tile.classList.add("revealed");
    revealed = tile;
    ["session", "today", "week"].forEach(function (name) {
      var counter = document.querySelector("[data-exposure=" + name + "]");
      if (counter) { counter.textContent = String(parseInt(counter.textContent, 10) + 1); }
    });
  }
  function selectAll(on) {
    tiles.forEach(function (tile) {
      var box = tile.querySelector("input[type=checkbox]");
      box.checked = on;
      tile.classList.toggle("selected", on);
    });
    syncSelectPage();
  }
  function syncSelectPage() {
    if (!selectPage) { return; }
    var count = selected().length;
    selectPage.checked = count > 0 && count === tiles.length;
    selectPage.indeterminate = count > 0 && count < tiles.length;
  }
  function selected() {
    return tiles.filter(function (tile) { return tile.querySelector("input[type=checkbox]").checked; });
  }
  function send(targets, action, category) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("action", action);
    if (category) { data.append("category", category); }
    data.append("series", document.getElementById("review-series").value);
    targets.forEach(function (tile) { data.append("files", tile.dataset.files); });
    return fetch(form.getAttribute("action"), { method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
      .then(function (result) {
        if (!result.ok) { status.textContent = result.body.error || "Error"; return; }
        targets.forEach(function (tile) {
          var box = tile.querySelector("input[type=checkbox]");
          box.checked = false;
          tile.classList.remove("selected");
          tile.classList.add("done");
          var badge = tile.querySelector("[data-testid=tile-category]");
          if (action === "categorise") {
            badge.textContent = category.split(":")[1] + (result.body.four_eyes ? " …" : "");
          } else if (action === "confirm_near" && result.body.awaiting) {
            badge.textContent = (badge.textContent.replace(" …", "") || "✓") + " …";
          } else if (action === "confirm_near" || action === "confirm") {
            badge.textContent = (badge.textContent.replace(" …", "") || "✓");
          } else {
            badge.textContent = "✗";
          }
          tile.dataset.done = action;
        });
        syncSelectPage();
        status.textContent = targets.length + " ✓";
      })
      .catch(function () { status.textContent = "✗"; });
  }
  function act(action, category) {
    var targets = selected();
    var index = current();
    if (!targets.length && index >= 0) { targets = [tiles[index]]; }
    if (!targets.length) { return; }
    send(targets, action, category).then(function () {
      if (index >= 0) { focusAt(index + 1); }
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.matches("input:not([type=checkbox]), select, textarea")) { return; }
    var index = current();
    var key = event.key;
    if (key === "?") { help.open = !help.open; event.preventDefault(); return; }
    if (key === "*" && selectPage) { selectAll(!selectPage.checked); event.preventDefault(); return; }
    if (key === "ArrowRight" || key === "j") { focusAt(index + 1); event.preventDefault(); return; }
    if (key === "ArrowLeft" || key === "k") { focusAt(index < 0 ? 0 : index - 1); event.preventDefault(); return; }
    if (key === "ArrowDown") { focusAt(index < 0 ? 0 : index + columns()); event.preventDefault(); return; }
    if (key === "ArrowUp") { focusAt(index < 0 ? 0 : index - columns()); event.preventDefault(); return; }
    if (index < 0) { return; }
    var tile = tiles[index];
    if (key === " ") {
      var box = tile.querySelector("input[type=checkbox]");
      box.checked = !box.checked;
      tile.classList.toggle("selected", box.checked);
      syncSelectPage();
      event.preventDefault();
      return;
    }
    if (key === "r") { reveal(tile); event.preventDefault(); return; }
    if (key === "y" && (tile.dataset.triage === "near" || tile.dataset.triage === "possible")) { act("confirm_near"); event.preventDefault(); return; }
    if (key === "y" && tile.dataset.awaiting) { act("confirm"); event.preventDefault(); return; }
    if (key === "n" && (tile.dataset.triage === "near" || tile.dataset.triage === "possible")) { act("reject_near"); event.preventDefault(); return; }
    if (keys[key.toLowerCase()]) { act("categorise", keys[key.toLowerCase()]); event.preventDefault(); }
  });
  tiles.forEach(function (tile) {
    var box = tile.querySelector("input[type=checkbox]");
    box.addEventListener("change", function () { tile.classList.toggle("selected", box.checked); syncSelectPage(); });
    tile.addEventListener("dblclick", function () { reveal(tile); });
  });
  if (selectPage) { selectPage.addEventListener("change", function () { selectAll(selectPage.checked); }); }
  if (tiles.length) { tiles[0].focus(); }
})();
