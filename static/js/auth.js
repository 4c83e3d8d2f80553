// The sign-in / sign-up screen. Errors are the server's own text, in the chosen language.
import { post, setUser } from "./api.js";
import { t } from "./i18n.js";
import { $ } from "./dom.js";

export function setupAuth(registrationAllowed, onSignedIn) {
  let mode = "signin";
  const form = $("#auth-form");
  const error = $("#auth-error");
  const setMode = (next) => {
    mode = next;
    $("#display-field").hidden = mode !== "signup";
    $("#tab-signin").setAttribute("aria-selected", String(mode === "signin"));
    $("#tab-signup").setAttribute("aria-selected", String(mode === "signup"));
    $("#auth-submit").dataset.i18n = mode === "signup" ? "sign_up" : "sign_in";
    $("#auth-submit").textContent = t($("#auth-submit").dataset.i18n);
    $("#auth-password").autocomplete = mode === "signup" ? "new-password" : "current-password";
    error.textContent = "";
  };
  $("#tab-signin").addEventListener("click", () => setMode("signin"));
  $("#tab-signup").addEventListener("click", () => setMode("signup"));
  $("#tab-signup").hidden = !registrationAllowed;
  $("#registration-closed").hidden = registrationAllowed;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const body = { username: $("#auth-username").value.trim(), password: $("#auth-password").value };
    if (mode === "signup" && $("#auth-display").value.trim()) body.display_name = $("#auth-display").value.trim();
    $("#auth-submit").disabled = true;
    try {
      const path = mode === "signup" ? "/api/auth/register" : "/api/auth/login";
      setUser((await post(path, body, { anonymous: true })).user);   // the server set the cookie
      $("#auth-password").value = "";
      onSignedIn();
    } catch (err) {
      error.textContent = err.message;
      $("#auth-password").focus();
    } finally {
      $("#auth-submit").disabled = false;
    }
  });
  setMode("signin");
  return { reset: () => setMode("signin") };
}
