// @ts-check
/** Small DOM helpers for the views (no framework). */

/**
 * Creates an element. `attrs` become attributes (`hidden: true` sets a boolean attribute,
 * `false`/`null`/`undefined` leave it out); strings among `children` become text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | boolean | null | undefined>} [attrs]
 * @param {(Node | string | null | undefined | false)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === true) element.setAttribute(name, "");
    else if (typeof value === "string") element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child || child === "") element.append(child);
  }
  return element;
}

/**
 * The element with this id, checked to be of the expected kind.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new (...args: any[]) => T} kind
 * @returns {T}
 */
export function byId(id, kind) {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`the page has no ${kind.name} #${id}`);
  return element;
}

/**
 * A byte count in words ("1.4 KB").
 * @param {number} bytes
 */
export function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Offers bytes or text as a file download (through a short-lived blob: URL).
 * @param {Uint8Array | string} data
 * @param {string} fileName
 * @param {string} type
 */
export function downloadFile(data, fileName, type) {
  const part = typeof data === "string" ? data : /** @type {Uint8Array<ArrayBuffer>} */ (data);
  const url = URL.createObjectURL(new Blob([part], { type }));
  const link = h("a", { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A file's name without its extension, safe for a download name.
 * @param {string} text
 */
export function fileStem(text) {
  return text.replace(/[^A-Za-z0-9._@-]+/g, "_").replace(/^[._]+/, "") || "identity";
}

/**
 * Bytes as standard base64 (in slices, so large inputs do not overflow the argument list).
 * @param {Uint8Array} bytes
 */
export function base64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
