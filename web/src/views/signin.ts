// The sign-in form: the user pastes a token once; it is checked with a
// call every role may make before the dashboard opens.
import { api } from "../api";
import { h } from "../dom";
import { explain } from "../errors";
import { t } from "../i18n";
import { signIn, signOut } from "../session";

export function signInView(onDone: () => void, problem = ""): HTMLElement {
  const input = h("input", { type: "password", id: "token", name: "token", autocomplete: "off", "aria-label": t("signin.token") });
  const message = h("p", { class: "error", role: "alert" }, problem);
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (input.value.trim() === "") {
          message.textContent = t("signin.empty");
          return;
        }
        signIn(input.value);
        try {
          await api.getPolicy({});
          onDone();
        } catch (err) {
          signOut();
          message.textContent = explain(err);
        }
      },
    },
    h("h1", {}, t("signin.title")),
    h("p", {}, t("signin.help")),
    h("label", { for: "token" }, t("signin.token")),
    input,
    h("button", { type: "submit" }, t("signin.submit")),
    message,
  );
  return form;
}
