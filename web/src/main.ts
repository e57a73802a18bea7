// The dashboard: sign-in, navigation and the view the location names.
import "./style.css";
import { api } from "./api";
import { disposeCharts } from "./charts";
import { h } from "./dom";
import { explain, isUnauthenticated } from "./errors";
import { currentLang, setLang, t } from "./i18n";
import { href, parseRoute } from "./router";
import { signOut, token } from "./session";
import { lateView } from "./views/late";
import { moneyView } from "./views/money";
import { overviewView } from "./views/overview";
import { phaseView } from "./views/phase";
import { publicationView } from "./views/publication";
import { signInView } from "./views/signin";
import { townshipView } from "./views/township";

const views: Record<string, (args: string[]) => Promise<HTMLElement>> = {
  overview: overviewView,
  township: townshipView,
  phase: phaseView,
  late: lateView,
  money: moneyView,
  publication: publicationView,
};

const app = document.getElementById("app")!;
let drawing = 0;

// Who the token belongs to, asked once per sign-in (WhoAmI).
let caller: Promise<string> | null = null;
function callerName(): Promise<string> {
  caller ??= api.whoAmI({}).then(
    (p) => `${p.name} · ${p.organisation}`,
    () => "",
  );
  return caller;
}

function nav(current: string): HTMLElement {
  const who = h("span", { class: "who" });
  void callerName().then((name) => (who.textContent = name));
  const item = (view: string, label: string) =>
    h("a", { href: href(view), class: view === current ? "current" : undefined }, label);
  return h(
    "nav",
    { class: "top no-print" },
    h("span", { class: "brand" }, `${t("app.district")} · ${t("app.title")}`),
    item("overview", t("nav.overview")),
    item("late", t("nav.late")),
    item("money", t("nav.money")),
    item("publication", t("nav.publication")),
    h("span", { class: "spacer" }),
    who,
    h(
      "button",
      {
        type: "button",
        class: "link",
        onclick: () => {
          setLang(currentLang() === "zh" ? "en" : "zh");
          void draw();
        },
      },
      t("nav.language"),
    ),
    h(
      "button",
      {
        type: "button",
        class: "link",
        onclick: () => {
          signOut();
          caller = null;
          void draw();
        },
      },
      t("nav.signout"),
    ),
  );
}

async function draw(problem = ""): Promise<void> {
  const mine = ++drawing;
  disposeCharts();
  document.documentElement.lang = currentLang() === "zh" ? "zh-CN" : "en";
  document.title = t("app.title");
  if (!token()) {
    app.replaceChildren(signInView(() => void draw(), problem));
    return;
  }
  const route = parseRoute(location.hash);
  const view = views[route.view] ?? overviewView;
  const main = h("main", { "aria-busy": "true" }, h("p", { class: "loading" }, t("common.loading")));
  app.replaceChildren(nav(route.view), main);
  try {
    const content = await view(route.args);
    if (mine !== drawing) return;
    main.replaceChildren(content);
  } catch (err) {
    if (mine !== drawing) return;
    if (isUnauthenticated(err)) {
      signOut();
      caller = null;
      return draw(explain(err));
    }
    main.replaceChildren(h("p", { class: "error", role: "alert" }, explain(err)));
  } finally {
    if (mine === drawing) main.setAttribute("aria-busy", "false");
  }
}

window.addEventListener("hashchange", () => void draw());
void draw();
