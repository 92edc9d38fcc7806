/** The console's shell: hash routing between the pages, the "show full numbers" setting, page clean-up. */
import { mountDetail } from "./detail.js";
import { mountLive } from "./live.js";
import { mountRecent } from "./recent.js";
import { setShowNumbers, showNumbers } from "./format.js";

const main = document.getElementById("main");
let unmount = () => {};

function route() {
  unmount();
  const hash = location.hash || "#/live";
  const detail = /^#\/calls\/([A-Za-z0-9_-]{1,64})$/.exec(hash);
  let page = "live";
  if (detail) {
    page = "detail";
    unmount = mountDetail(main, detail[1]);
  } else if (hash.startsWith("#/recent")) {
    page = "recent";
    unmount = mountRecent(main);
  } else {
    unmount = mountLive(main);
  }
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.body.dataset.page = page;
}

const toggle = document.getElementById("show-numbers");
toggle.checked = showNumbers();
toggle.addEventListener("change", () => {
  setShowNumbers(toggle.checked);
  route();
});

window.addEventListener("hashchange", () => {
  route();
  main.focus({ preventScroll: true });
});
route();
