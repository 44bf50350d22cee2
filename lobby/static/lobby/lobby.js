// The lobby's only script: filters apply on change, and the play page's full-screen button.
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
