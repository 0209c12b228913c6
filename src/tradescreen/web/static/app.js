// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Queue filters apply as soon as a choice changes (the Apply button stays for keyboards).
  const filters = document.getElementById("queue-filters");
  if (filters) {
    for (const select of filters.querySelectorAll("select")) {
      select.addEventListener("change", () => filters.requestSubmit());
    }
  }
  // "/" jumps to the first text field of the page, like most search-driven tools.
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement;
    if (event.key === "/" && !typing) {
      const field = document.querySelector("main input:not([type=hidden]), main textarea");
      if (field) { event.preventDefault(); field.focus(); }
    }
  });
});
