// The play page: the top bar's balance stays live and the reality check shows on time.
// - GET data-status-url every POLL_MS while the page is visible (Page Visibility API), and at
//   once when the game frame posts a message (only from data-game-origin, the launch host):
//   the figures shown always come from our own endpoint, never from the game's message.
// - The reality check (a <dialog>) every data-reality-check-seconds of the session.
(() => {
  "use strict";
  const POLL_MS = 10000;
  const main = document.getElementById("play");
  if (!main || !main.dataset.statusUrl) return;
  const statusUrl = main.dataset.statusUrl;
  const gameOrigin = main.dataset.gameOrigin;
  const balance = document.querySelector("[data-testid=play-balance]");
  const dialog = document.getElementById("reality-check");
  let timer = null;
  let latest = null;

  function duration(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    if (h) return `${h} h ${m} min`;
    if (m) return `${m} min`;
    return `${seconds} s`;
  }

  async function refresh() {
    try {
      const response = await fetch(statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (!response.ok) return;
      latest = await response.json();
      if (balance) {
        balance.textContent = latest.balance_formatted;
        balance.dataset.raw = latest.balance;
      }
    } catch (error) {
      // offline for a moment: the next poll tries again
    }
  }

  function start() {
    if (timer === null) timer = setInterval(refresh, POLL_MS);
  }
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      refresh();
      start();
    } else {
      stop();
    }
  });
  if (document.visibilityState === "visible") start();

  window.addEventListener("message", (event) => {
    if (!gameOrigin || event.origin !== gameOrigin) return;
    const data = event.data;
    if (data && typeof data === "object" && data.type === "balance") refresh();
  });

  // --- reality check ---
  const every = Number(main.dataset.realityCheckSeconds || 0);
  if (!dialog || !(every > 0) || typeof dialog.showModal !== "function") return;
  const loadedAt = Date.now();
  const playedAtLoad = Number(main.dataset.playedSeconds || 0);
  function playedNow() {
    return playedAtLoad + Math.floor((Date.now() - loadedAt) / 1000);
  }
  function schedule() {
    const played = playedNow();
    const wait = every - (played % every);
    setTimeout(show, wait * 1000);
  }
  async function show() {
    await refresh();
    const played = latest ? latest.played_seconds : playedNow();
    dialog.querySelector("[data-testid=reality-time]").textContent = duration(played);
    if (latest) {
      dialog.querySelector("[data-testid=reality-net]").textContent = latest.net_result_formatted;
    }
    if (!dialog.open) dialog.showModal();
  }
  dialog.addEventListener("click", (event) => {
    const action = event.target.closest("[data-reality]");
    if (!action) return;
    if (action.dataset.reality === "keep") {
      dialog.close();
      schedule();
    } else {
      event.preventDefault();
      window.top.location.href = main.dataset.lobbyUrl;
    }
  });
  dialog.addEventListener("cancel", () => schedule()); // Escape closes it: keep playing
  schedule();
})();
