// The sign-in / sign-up screen. Errors are the server's own text, in the chosen language.
// An invitation link (/#guest=<secret>, docs/guests.md) opens it as the guest sign-up:
// the secret stays in the fragment, which no server or proxy log sees.
import { post, setUser } from "./api.js";
import { t } from "./i18n.js";
import { $ } from "./dom.js";

const GUEST = "#guest=";
const PATHS = { signin: "/api/auth/login", signup: "/api/auth/register", guest: "/api/auth/guest" };
const SUBMIT = { signin: "sign_in", signup: "sign_up", guest: "join_as_guest" };

export function guestInvitation() {
  return location.hash.startsWith(GUEST) ? location.hash.slice(GUEST.length) : null;
}

export function setupAuth(registrationAllowed, onSignedIn) {
  let mode = "signin";
  const form = $("#auth-form");
  const error = $("#auth-error");
  const setMode = (next) => {
    mode = next;
    $("#display-field").hidden = mode === "signin";
    $("#guest-invited").hidden = mode !== "guest";
    $(".auth .tabs").hidden = mode === "guest";
    $("#tab-signin").setAttribute("aria-selected", String(mode === "signin"));
    $("#tab-signup").setAttribute("aria-selected", String(mode === "signup"));
    $("#auth-submit").dataset.i18n = SUBMIT[mode];
    $("#auth-submit").textContent = t($("#auth-submit").dataset.i18n);
    $("#auth-password").autocomplete = mode === "signin" ? "current-password" : "new-password";
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
    if (mode !== "signin" && $("#auth-display").value.trim()) body.display_name = $("#auth-display").value.trim();
    if (mode === "guest") body.invitation = guestInvitation();
    $("#auth-submit").disabled = true;
    try {
      setUser((await post(PATHS[mode], body, { anonymous: true })).user);   // the server set the cookie
      $("#auth-password").value = "";
      if (mode === "guest") history.replaceState(null, "", location.pathname);   // used: forget it
      onSignedIn();
    } catch (err) {
      error.textContent = err.message;
      $("#auth-password").focus();
    } finally {
      $("#auth-submit").disabled = false;
    }
  });
  const start = () => setMode(guestInvitation() ? "guest" : "signin");
  start();
  return { reset: start };
}
