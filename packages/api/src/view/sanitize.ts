import sanitizeHtml from "sanitize-html";

/** Shown in place of a blocked remote image: a transparent 1×1 GIF. */
export const BLOCKED_IMAGE_SRC =
  "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

export interface SanitizedHtml {
  html: string;
  /** Remote images were replaced by placeholders (offer "show images"). */
  remoteImagesBlocked: number;
}

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  "img",
  "font",
  "center",
  "span",
  "div",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "td",
  "th",
  "col",
  "colgroup",
  "caption",
  "hr",
  "br",
  "u",
  "s",
  "strike",
  "small",
  "big",
  "sub",
  "sup",
];

const LAYOUT_ATTRS = [
  "style",
  "class",
  "align",
  "valign",
  "width",
  "height",
  "bgcolor",
  "color",
  "border",
  "cellpadding",
  "cellspacing",
  "colspan",
  "rowspan",
  "dir",
  "lang",
  "title",
];

/**
 * Makes a message's HTML safe to show in the web app's sandboxed iframe: sanitize-html with
 * an allow-list (no script, no event handlers, no forms, iframes, objects or javascript:
 * URLs); links open in a new tab without referrer; remote images become a placeholder
 * (their address kept in data-blocked-src) unless `allowRemote`, so opening a mail tells no
 * tracker it was read; cid: images point at our attachment download.
 */
export function sanitizeMailHtml(
  html: string,
  opts: { allowRemote: boolean; cidUrl: (contentId: string) => string | null },
): SanitizedHtml {
  let blocked = 0;
  const clean = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    disallowedTagsMode: "discard",
    allowedAttributes: {
      "*": LAYOUT_ATTRS,
      a: ["href", "name", "target", "rel", ...LAYOUT_ATTRS],
      img: ["src", "alt", "data-blocked-src", ...LAYOUT_ATTRS],
      font: ["face", "size", "color", ...LAYOUT_ATTRS],
    },
    allowedSchemes: ["http", "https", "mailto", "tel", "data", "cid"],
    allowedSchemesByTag: { img: ["http", "https", "data", "cid"] },
    allowedSchemesAppliedToAttributes: ["href", "src"],
    allowProtocolRelative: false,
    // CSS is kept (mail layout depends on it) but only as inline style, never <style> blocks
    // that could restyle the app or load remote fonts; url(...) in inline styles is removed.
    allowedStyles: undefined,
    transformTags: {
      a: (tagName, attribs) => ({
        tagName,
        attribs: { ...attribs, target: "_blank", rel: "noopener noreferrer nofollow" },
      }),
      img: (tagName, attribs) => {
        const src = attribs.src ?? "";
        if (/^cid:/i.test(src)) {
          const url = opts.cidUrl(src.slice(4).replace(/^<|>$/g, ""));
          return { tagName, attribs: { ...attribs, src: url ?? BLOCKED_IMAGE_SRC } };
        }
        if (/^https?:/i.test(src) || src.startsWith("//")) {
          if (opts.allowRemote) return { tagName, attribs };
          blocked++;
          return { tagName, attribs: { ...attribs, src: BLOCKED_IMAGE_SRC, "data-blocked-src": src } };
        }
        if (/^data:image\/(png|gif|jpe?g|webp);/i.test(src)) return { tagName, attribs };
        return { tagName, attribs: { ...attribs, src: BLOCKED_IMAGE_SRC } };
      },
    },
    exclusiveFilter: (frame) => frame.tag === "img" && !frame.attribs.src,
  });
  return { html: stripRemoteCss(clean, opts.allowRemote), remoteImagesBlocked: blocked };
}

/** url(...) in inline styles loads remote content (tracking pixels as backgrounds). */
function stripRemoteCss(html: string, allowRemote: boolean): string {
  if (allowRemote) return html;
  return html.replace(/style="([^"]*)"/gi, (_, css: string) => {
    // CSS escapes (\75 rl) could spell url( past the pattern: such a style is dropped whole.
    if (css.includes("\\")) return 'style=""';
    return `style="${css.replace(/url\s*\(([^)]*)\)/gi, "none")}"`;
  });
}
