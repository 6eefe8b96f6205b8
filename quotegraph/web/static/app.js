// quotegraph: tie each attribution's highlighted parts, its speaker and its row in the side
// table together on hover and keyboard focus. Pages work without this script.
(function () {
  "use strict";

  function parts(id) {
    return document.querySelectorAll('[data-a="' + CSS.escape(id) + '"]');
  }

  function clear(article) {
    document.querySelectorAll(".linked").forEach(function (el) { el.classList.remove("linked"); });
    if (article) { article.classList.remove("focusing"); }
  }

  function showCard(row) {
    var card = document.getElementById("card");
    if (!card || !row) { return; }
    card.textContent = "";
    var num = document.createElement("span");
    num.className = "card-num";
    num.textContent = row.dataset.number;
    card.appendChild(num);
    var who;
    if (row.dataset.url) {
      who = document.createElement("a");
      who.href = row.dataset.url;
      who.textContent = row.dataset.speaker;
      who.title = "Open the speaker page";
    } else {
      who = document.createElement("strong");
      who.textContent = row.dataset.speaker;
    }
    card.appendChild(who);
    var how = (row.dataset.cue ? " " + row.dataset.cue : "") + " (" + row.dataset.kind + ")";
    if (row.dataset.act) { how += " · " + row.dataset.act; }
    card.appendChild(document.createTextNode(how));
    if (row.dataset.url) {
      card.appendChild(document.createTextNode(" · all their statements on the speaker page"));
    }
    card.hidden = false;
  }

  function link(id) {
    var article = document.querySelector("[data-article]");
    clear(article);
    var row = null;
    parts(id).forEach(function (el) {
      el.classList.add("linked");
      if (el.tagName === "TR") { row = el; }
    });
    if (article) { article.classList.add("focusing"); }
    showCard(row);
  }

  function target(event) {
    var el = event.target.closest ? event.target.closest("[data-a]") : null;
    return el ? el.dataset.a : null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var article = document.querySelector("[data-article]");
    if (!article) { return; }
    ["mouseover", "focusin"].forEach(function (name) {
      document.addEventListener(name, function (event) {
        var id = target(event);
        if (id) { link(id); }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { clear(article); }
    });
    article.addEventListener("mouseleave", function () { article.classList.remove("focusing"); });
    // Following a "#" link in the table focuses the attribution in the text.
    document.querySelectorAll("a.num").forEach(function (anchor) {
      anchor.addEventListener("click", function () {
        var mark = document.getElementById(anchor.getAttribute("href").slice(1));
        if (mark) { setTimeout(function () { mark.focus(); }, 0); }
      });
    });
  });
})();
