// The upload tray: one row per file with a progress bar, cancel, and a clear error for
// files that are too large (413) or of an unsupported type (415).
import { upload } from "./api.js";
import { t } from "./i18n.js";
import { formatSize, h, icon } from "./dom.js";

const MAX_BYTES = 10 * 1024 * 1024;

export function uploadFiles(tray, files, roomId) {
  for (const file of files) uploadOne(tray, file, roomId);
}

function uploadOne(tray, file, roomId) {
  const bar = h("progress", { max: "100", value: "0", "aria-label": file.name });
  const cancel = h("button", { type: "button", class: "icon-button", "aria-label": t("cancel"), title: t("cancel") }, icon("close"));
  const row = h("li", { class: "upload" },
    h("span", { class: "upload-name", text: file.name }),
    h("span", { class: "upload-size", text: formatSize(file.size) }), bar, cancel);
  tray.append(row);
  tray.hidden = false;
  if (file.size > MAX_BYTES) return fail(tray, row, t("upload_too_large", { name: file.name }));
  const job = upload(file, roomId, (fraction) => { bar.value = Math.round(fraction * 100); });
  cancel.addEventListener("click", () => job.abort());
  job.done.then(() => remove(tray, row), (err) => {
    if (err.status === -1) return remove(tray, row);
    if (err.status === 413) return fail(tray, row, t("upload_too_large", { name: file.name }));
    if (err.status === 415) return fail(tray, row, t("upload_unsupported", { name: file.name }));
    return fail(tray, row, t("upload_failed", { name: file.name, reason: err.message }));
  });
}

function fail(tray, row, text) {
  row.classList.add("error");
  row.replaceChildren(
    h("span", { class: "upload-error", role: "alert", text }),
    h("button", { type: "button", class: "link-button", text: t("dismiss"), onclick: () => remove(tray, row) }));
}

function remove(tray, row) {
  row.remove();
  if (!tray.children.length) tray.hidden = true;
}
