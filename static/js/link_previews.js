// The cards the server made of a message's links (title, description, site, image).
// Text only; the image is the server's own re-encoded copy (a /previews/ path on our
// origin), never the page's image URL, so reading a message calls out to no one.
import { t } from "./i18n.js";
import { h, safeHttpUrl } from "./dom.js";

export function previewsElement(msg, own, ctx) {
  const cards = (msg.previews || []).map(cardElement).filter(Boolean);
  if (!cards.length) return null;
  const removeButton = own && msg.id
    ? h("button", {
      type: "button", class: "link-button preview-remove", text: t("remove_previews"),
      onclick: () => ctx.actions.removePreviews(msg),
    })
    : null;
  return h("div", { class: "previews" }, cards, removeButton);
}

function cardElement(card) {
  const href = safeHttpUrl(card.url);
  if (!href || !/^https?:/i.test(card.url)) return null;
  const image = ownImage(card.image_url);
  return h("a", { class: "preview-card", href, target: "_blank", rel: "noopener noreferrer nofollow" },
    image ? h("img", { class: "preview-image", src: image, alt: "", loading: "lazy", decoding: "async" }) : null,
    h("span", { class: "preview-text" },
      card.site_name ? h("span", { class: "preview-site", text: card.site_name }) : null,
      card.title ? h("span", { class: "preview-title", text: card.title }) : null,
      card.description ? h("span", { class: "preview-description", text: card.description }) : null));
}

function ownImage(raw) {
  return typeof raw === "string" && /^\/previews\/[0-9a-f]{32}\.jpg$/.test(raw) ? raw : null;
}
