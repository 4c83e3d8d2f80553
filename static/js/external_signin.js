// Finishes a sign-in through an OpenID Connect provider: the server sent the browser
// back to /?signin=external with a one-minute hand-off cookie, and answers it with the
// same login cookie a password sign-in gets. No token ever appears in a URL.
import { post, setUser } from "./api.js";
import { $ } from "./dom.js";

export async function finishExternalSignIn() {
  const url = new URL(location.href);
  if (url.searchParams.get("signin") !== "external") return;
  url.searchParams.delete("signin");
  history.replaceState(null, "", url.pathname + url.search + url.hash);
  try {
    setUser((await post("/api/auth/external/finish", {}, { anonymous: true })).user);   // and the login cookie
  } catch (err) {
    const box = $("#external-error");
    if (box) box.textContent = err.message;
  }
}
