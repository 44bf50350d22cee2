// The lobby's script: filters apply on change, the play page's full-screen button, and the
// favourite heart turns without reloading the page (the form still works without script).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.requestSubmit();
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fullscreen]");
  if (!button) return;
  const frame = document.querySelector(button.dataset.fullscreen);
  if (frame && frame.requestFullscreen) frame.requestFullscreen();
});

document.addEventListener("submit", async (event) => {
  const form = event.target.closest(".fav-form");
  if (!form || !window.fetch) return;
  event.preventDefault();
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { game_id: gameId, favourite } = await response.json();
    document.querySelectorAll(`[data-game-id="${gameId}"] .fav-form`).forEach((each) => {
      const button = each.querySelector(".fav");
      let wanted = each.querySelector("input[name=favourite]");
      if (favourite && wanted) wanted.remove();
      if (!favourite && !wanted) {
        wanted = document.createElement("input");
        Object.assign(wanted, { type: "hidden", name: "favourite", value: "on" });
        each.append(wanted);
      }
      const title = button.getAttribute("aria-label").replace(/^(Add|Remove) | (to|from) favourites$/g, "");
      button.classList.toggle("fav-on", favourite);
      button.setAttribute("aria-pressed", String(favourite));
      button.setAttribute("aria-label", favourite ? `Remove ${title} from favourites` : `Add ${title} to favourites`);
      button.textContent = favourite ? "\u2665" : "\u2661";
    });
  } catch (error) {
    form.submit(); // the page's own way: post and come back
  }
});
