// Touch screens have no hover: a tap on a message shows its actions (app.css puts them
// under its text, where they cover neither its name nor its time), and a tap anywhere
// else hides them again.
export function showActionsOnTap(list) {
  document.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "mouse" || e.target.closest?.(".actions, .emoji-picker")) return;
    const msg = e.target.closest?.(".msg:not(.system)");
    for (const el of list.querySelectorAll(".msg.tapped")) if (el !== msg) el.classList.remove("tapped");
    if (msg && list.contains(msg)) msg.classList.add("tapped");
  });
}
