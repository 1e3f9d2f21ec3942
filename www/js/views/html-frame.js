// @ts-check
/**
 * HTML mail in a sandboxed frame. Two guards, each enough alone against a leak:
 *
 * 1. The HTML is rebuilt from an allow-list before it reaches the frame. It is parsed with
 *    `DOMParser`, whose documents have no browsing context (nothing loads, nothing runs), and
 *    only known formatting elements and attributes are kept. Remote URLs are dropped, so no
 *    request is even attempted and the sender cannot learn that, when or where the message was
 *    read (web bugs; Efail's exfiltration channel). `cid:` images become `data:` URLs from the
 *    message's own parts.
 * 2. The frame is `sandbox=""` (no scripts, no forms, no plugins, no navigation of the page, an
 *    opaque origin) and its document starts with a Content-Security-Policy that allows no
 *    request but `data:` images.
 *
 * Style sheets and `style` attributes are dropped too: the frame's document inherits this page's
 * policy (`style-src 'self'`), under which the browser would refuse them one by one anyway.
 */
import { base64, h } from "../dom.js";

/** @typedef {import("../smime-client.js").MessagePart} MessagePart */

/** The frame's own policy: no network at all; inline style and data: images only. */
export const FRAME_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Dropped with everything inside them: active content, resources, controls, metadata. */
const DROPPED = new Set([
  "script", "noscript", "style", "link", "meta", "base", "title", "template", "iframe", "frame",
  "frameset", "noframes", "object", "embed", "applet", "param", "svg", "math", "audio", "video",
  "source", "track", "canvas", "map", "area", "input", "button", "select", "textarea", "option",
  "optgroup", "datalist", "output", "dialog", "portal", "slot",
]);

/** Kept (with the attributes below); any other element is replaced by its children. */
const KEPT = new Set([
  "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote", "br",
  "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div",
  "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
  "header", "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q",
  "rp", "rt", "ruby", "s", "samp", "section", "small", "span", "strike", "strong", "sub",
  "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul",
  "var", "wbr",
]);

/** Presentational attributes that name no URL. */
const ATTRIBUTES = new Set([
  "abbr", "align", "alt", "bgcolor", "border", "cellpadding", "cellspacing", "clear", "color",
  "cols", "colspan", "compact", "datetime", "dir", "face", "headers", "height", "hspace", "lang",
  "noshade", "nowrap", "open", "reversed", "rows", "rowspan", "scope", "size", "span", "start",
  "title", "type", "valign", "vspace", "width",
]);

/**
 * @typedef {object} PreparedHtml
 * @property {string} srcdoc          the frame's whole document
 * @property {number} remoteBlocked   images and other remote resources left out
 * @property {number} activeRemoved   scripts and event handlers left out
 * @property {number} formsRemoved    forms and form controls left out
 * @property {Set<string>} usedCids   Content-IDs shown as images
 * @property {boolean} empty          nothing is left to show (no text, no image)
 * @property {"short" | "medium" | "tall"} size  a guess at the height it needs: the frame cannot
 *           measure its content, as no script runs in it
 */

/**
 * Rebuilds an HTML body from the allow-list, for a sandboxed frame.
 * @param {string} html
 * @param {MessagePart[]} parts  the message's other parts, for `cid:` images
 * @returns {PreparedHtml}
 */
export function prepareHtml(html, parts) {
  // A template's content is inert: nothing in it loads or runs. The holder lives in the same
  // inert document, so serialising never adopts a node into this page (which would load it).
  const template = document.createElement("template");
  template.innerHTML = defused(html);
  const result = { remoteBlocked: 0, activeRemoved: 0, formsRemoved: 0, usedCids: new Set() };
  clean(template.content, imagesByCid(parts), result);
  const holder = template.content.ownerDocument.createElement("body");
  holder.append(template.content);
  const images = holder.querySelectorAll("img[src]").length;
  const text = (holder.textContent ?? "").replace(/\s+/g, " ").trim();
  const lines = text.length / 80 + holder.querySelectorAll("p, div, br, tr, li, h1, h2, h3, h4, h5, h6").length + images * 4;
  const size = lines < 8 ? "short" : lines < 20 ? "medium" : "tall";
  const srcdoc =
    `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">` +
    `</head>${holder.outerHTML}</html>`;
  return { srcdoc, ...result, empty: text === "" && images === 0, size };
}

/**
 * The frame showing prepared HTML.
 * @param {PreparedHtml} prepared
 * @param {string} title  for assistive technology
 */
export function htmlFrame(prepared, title) {
  const frame = h("iframe", { class: `message-html html-${prepared.size}`, sandbox: "", title, "data-role": "message-html" });
  frame.srcdoc = prepared.srcdoc;
  return frame;
}

/**
 * Sentences on what was left out of the HTML, for the notes above the frame.
 * @param {PreparedHtml} prepared
 * @returns {{ role: string, text: string }[]}
 */
export function htmlNotes(prepared) {
  const notes = [];
  if (prepared.remoteBlocked > 0) {
    const what = prepared.remoteBlocked === 1 ? "1 picture or file" : `${prepared.remoteBlocked} pictures or files`;
    notes.push({
      role: "remote-blocked",
      text: `Remote images are blocked: ${what} from the internet were not loaded, so the sender cannot tell that or where you read this message.`,
    });
  }
  if (prepared.activeRemoved > 0) {
    notes.push({ role: "scripts-removed", text: "This message contained scripts; they were removed and nothing of them ran." });
  }
  if (prepared.formsRemoved > 0) {
    notes.push({ role: "forms-removed", text: "This message contained a form; it was removed. Never type a password into a message." });
  }
  return notes;
}

/**
 * @param {MessagePart[]} parts
 * @returns {Map<string, MessagePart>}
 */
function imagesByCid(parts) {
  const images = new Map();
  for (const part of parts) {
    if (part.contentId && part.contentType.startsWith("image/")) images.set(part.contentId.replace(/^<|>$/g, ""), part);
  }
  return images;
}

/** The start of a start tag: `<` and its name. */
const START_TAG = /<[A-Za-z][^\t\n\f\r />]*/g;
const SPACE = /[\t\n\f\r ]/;
const NAME_END = /[\t\n\f\r />=]/;

/**
 * The HTML with every `style` and `on…` attribute renamed (to `x-style`, `x-onclick`, …). The
 * page's policy forbids inline style and handlers, and the browser reports each one it meets as
 * a violation even while parsing into an inert template that applies nothing; renamed, they are
 * plain unknown attributes, dropped by the allow-list like the rest. It follows the HTML
 * tokenizer's attribute states (WHATWG HTML §13.2.5.32–39); a tag it misreads costs only a
 * console report, as the frame's policy blocks what it would miss.
 * @param {string} html
 */
function defused(html) {
  let out = "";
  let copied = 0;
  START_TAG.lastIndex = 0;
  for (let match; (match = START_TAG.exec(html)); ) {
    let i = match.index + match[0].length;
    while (i < html.length && html[i] !== ">") {
      if (SPACE.test(html[i]) || html[i] === "/") {
        i++;
        continue;
      }
      let end = i + 1; // a name may start with "="
      while (end < html.length && !NAME_END.test(html[end])) end++;
      if (/^(?:style|on)/i.test(html.slice(i, end))) {
        out += `${html.slice(copied, i)}x-`;
        copied = i;
      }
      i = end;
      while (i < html.length && SPACE.test(html[i])) i++;
      if (html[i] !== "=") continue;
      i++;
      while (i < html.length && SPACE.test(html[i])) i++;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        i = close === -1 ? html.length : close + 1;
      } else {
        while (i < html.length && !SPACE.test(html[i]) && html[i] !== ">") i++;
      }
    }
    START_TAG.lastIndex = i;
  }
  return out + html.slice(copied);
}

/**
 * Cleans a subtree in place.
 * @param {Element | DocumentFragment} element
 * @param {Map<string, MessagePart>} images
 * @param {{ remoteBlocked: number, activeRemoved: number, formsRemoved: number, usedCids: Set<string> }} result
 */
function clean(element, images, result) {
  for (const child of [...element.childNodes]) {
    if (child.nodeType === Node.COMMENT_NODE || child.nodeType === Node.PROCESSING_INSTRUCTION_NODE) {
      child.remove();
      continue;
    }
    if (!(child instanceof Element)) continue;
    const name = child.localName;
    if (DROPPED.has(name) || child.namespaceURI !== "http://www.w3.org/1999/xhtml") {
      if (name === "script" || name === "noscript" || name === "object" || name === "embed" || name === "applet") {
        result.activeRemoved++;
      } else if (["input", "button", "select", "textarea"].includes(name)) {
        result.formsRemoved++;
      } else if (["link", "iframe", "frame", "audio", "video", "source", "svg"].includes(name)) {
        result.remoteBlocked++;
      } else if (name === "style" && /url\s*\(|@import/i.test(child.textContent ?? "")) {
        result.remoteBlocked++;
      }
      child.remove();
      continue;
    }
    clean(child, images, result);
    if (name === "form") result.formsRemoved++;
    if (!KEPT.has(name)) {
      child.replaceWith(...child.childNodes);
      continue;
    }
    cleanAttributes(child, images, result);
  }
}

/**
 * Keeps the allowed attributes of a kept element, and its one URL when it is safe.
 * @param {Element} element
 * @param {Map<string, MessagePart>} images
 * @param {{ remoteBlocked: number, activeRemoved: number, usedCids: Set<string> }} result
 */
function cleanAttributes(element, images, result) {
  for (const { name, value } of [...element.attributes]) {
    if (ATTRIBUTES.has(name)) continue;
    element.removeAttribute(name);
    if (name.startsWith("on")) result.activeRemoved++;
    else if (name === "background" || name === "srcset" || name === "lowsrc" || name === "dynsrc") result.remoteBlocked++;
    else if (name === "style" && /url\s*\(/i.test(value)) result.remoteBlocked++;
    else if (name === "href" && element.localName === "a") linkTitle(element, value, result);
    else if (name === "src" && element.localName === "img") imageSource(element, value, images, result);
  }
}

/**
 * Links cannot be followed from the sandbox; the address stays readable as the link's title.
 * @param {Element} link
 * @param {string} href
 * @param {{ activeRemoved: number }} result
 */
function linkTitle(link, href, result) {
  const url = href.trim();
  if (/^javascript:/i.test(url)) {
    result.activeRemoved++;
    return;
  }
  if (url && !url.startsWith("#") && !link.hasAttribute("title")) link.setAttribute("title", `Link to ${url}`);
}

/**
 * An image shows only from the message itself: a `cid:` part or a `data:` image.
 * @param {Element} img
 * @param {string} src
 * @param {Map<string, MessagePart>} images
 * @param {{ remoteBlocked: number, usedCids: Set<string> }} result
 */
function imageSource(img, src, images, result) {
  const url = src.trim();
  if (/^data:image\//i.test(url)) {
    img.setAttribute("src", url);
    return;
  }
  const cid = /^cid:(.+)$/i.exec(url)?.[1];
  const part = cid === undefined ? undefined : images.get(uriDecoded(cid).replace(/^<|>$/g, ""));
  if (part) {
    img.setAttribute("src", `data:${part.contentType};base64,${base64(part.data)}`);
    if (part.contentId) result.usedCids.add(part.contentId);
    return;
  }
  if (cid === undefined) result.remoteBlocked++;
  if (!img.hasAttribute("alt")) img.setAttribute("alt", cid === undefined ? "[remote image blocked]" : "[missing image]");
}

/**
 * `%`-escapes decoded, or the text as it is when they are malformed.
 * @param {string} text
 */
function uriDecoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
