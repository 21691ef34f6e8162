// Shows the time left on a timed quiz. The server keeps the deadline; this is only a guide.
(() => {
  const timer = document.getElementById("quiz-timer");
  if (!timer) return;
  const deadline = Date.parse(timer.dataset.deadline);
  if (Number.isNaN(deadline)) return;
  // The words come from the page, in its language: {minutes} and {seconds} are filled in.
  const timeUp = timer.dataset.timeUp || "Your time has run out.";
  const timeLeft = timer.dataset.timeLeft || "Time left: {minutes} min {seconds} s";
  let lastAnnounced = null;
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = left % 60;
    timer.hidden = false;
    if (left === 0) {
      timer.textContent = timeUp;
      timer.setAttribute("aria-live", "assertive");
      return;
    }
    timer.textContent = timeLeft
      .replace("{minutes}", String(minutes))
      .replace("{seconds}", String(seconds).padStart(2, "0"));
    // Screen readers hear the time left at 5 minutes and 1 minute, not every second.
    const milestone = left <= 60 ? 1 : left <= 300 ? 5 : null;
    if (milestone !== null && milestone !== lastAnnounced) {
      lastAnnounced = milestone;
      timer.setAttribute("aria-live", "polite");
    } else {
      timer.setAttribute("aria-live", "off");
    }
    window.setTimeout(tick, 1000);
  };
  tick();
})();
