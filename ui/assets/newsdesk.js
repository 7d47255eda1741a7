() => {
  // One delegated click handler for the whole page: [n] markers, source cards, copy buttons.
  // Everything it touches was rendered (escaped) by ui/render.py; it only toggles visibility.
  if (window.__newsdeskClicks) return;
  window.__newsdeskClicks = true;

  const scrollToCard = (card) => {
    const panel = card.closest("#nd-sources");
    const scrolls = panel && panel.scrollHeight > panel.clientHeight + 1 && getComputedStyle(panel).overflowY !== "visible";
    if (scrolls) {
      const top = card.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop;
      panel.scrollTo({ top: Math.max(0, top - 8), behavior: "smooth" });
    } else {
      card.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  };

  const closeCard = (card) => {
    card.classList.remove("nd-selected");
    const article = card.querySelector(".nd-article");
    if (article) article.hidden = true;
    const button = card.querySelector(".nd-open");
    if (button) button.textContent = "Read the full article";
  };

  const openCard = (card, scroll) => {
    const section = card.closest(".nd-turn-sources");
    section.querySelectorAll(".nd-card").forEach((other) => {
      if (other !== card) closeCard(other);
    });
    card.classList.add("nd-selected");
    const article = card.querySelector(".nd-article");
    if (article) {
      article.hidden = false;
      const mark = article.querySelector(`mark[data-n="${card.dataset.n}"]`);
      if (mark) article.scrollTop = Math.max(0, mark.offsetTop - article.offsetTop - 40);
    }
    const button = card.querySelector(".nd-open");
    if (button) button.textContent = "Hide the full article";
    if (scroll) scrollToCard(card);
  };

  const showTurn = (turn) => {
    document.querySelectorAll(".nd-turn-sources").forEach((section) => {
      section.hidden = section.dataset.turn !== turn;
    });
    return document.querySelector(`.nd-turn-sources[data-turn="${turn}"]`);
  };

  const copy = async (button) => {
    const text = button.dataset.copy || "";
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  };

  document.addEventListener("click", (event) => {
    const cite = event.target.closest(".nd-cite");
    if (cite) {
      event.preventDefault();
      const section = showTurn(cite.dataset.turn);
      const card = section && section.querySelector(`.nd-card[data-n="${cite.dataset.n}"]`);
      if (card) openCard(card, true);
      return;
    }
    const head = event.target.closest(".nd-card-head, .nd-open");
    if (head) {
      event.preventDefault();
      const card = head.closest(".nd-card");
      if (card.classList.contains("nd-selected")) closeCard(card);
      else openCard(card, false);
      return;
    }
    const button = event.target.closest(".nd-copy");
    if (button) {
      event.preventDefault();
      copy(button);
    }
  });
  // Keep the newest message in view inside the chat box (never scroll the window itself).
  const follow = () => {
    const chat = document.getElementById("nd-chat");
    if (!chat) return setTimeout(follow, 200);
    new MutationObserver(() => { chat.scrollTop = chat.scrollHeight; })
      .observe(chat, { childList: true, subtree: true, characterData: true });
  };
  follow();

  document.addEventListener("keydown", (event) => {
    const head = event.target.closest && event.target.closest(".nd-card-head");
    if (head && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      openCard(head.closest(".nd-card"), false);
    }
  });
}
