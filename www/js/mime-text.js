// @ts-check
/**
 * Just enough MIME reading to *display* a message: header fields, the readable text part and a
 * list of the other parts. Nothing here decides what is signed or trusted; the wasm engine does
 * that. Input is bounded (depth and part count), and anything odd is shown as-is rather than
 * rejected.
 */

const MAX_DEPTH = 8;
const MAX_PARTS = 64;

/**
 * @typedef {object} Entity
 * @property {Map<string, string>} headers  lower-case field name -> unfolded value (first one)
 * @property {Uint8Array} body
 *
 * @typedef {object} Readable
 * @property {string | null} text     the first text/plain part, decoded
 * @property {string | null} html     the first text/html part, decoded (shown sandboxed)
 * @property {{ name: string, type: string, size: number }[]} others  every other leaf part
 */

/**
 * Bytes to a string of the same length, one char per byte, so offsets line up.
 * @param {Uint8Array} bytes
 */
function binary(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return out;
}

/**
 * Splits an entity into its header fields and body.
 * @param {Uint8Array} bytes
 * @returns {Entity}
 */
export function parseEntity(bytes) {
  const raw = binary(bytes);
  const end = /\r?\n\r?\n/.exec(raw);
  const head = end ? raw.slice(0, end.index) : raw;
  const bodyStart = end ? end.index + end[0].length : raw.length;
  /** @type {Map<string, string>} */
  const headers = new Map();
  for (const line of head.replace(/\r?\n(?=[ \t])/g, "").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeWords(eightBit(line.slice(colon + 1).trim())));
  }
  return { headers, body: bytes.subarray(bodyStart) };
}

/**
 * `text/plain; charset="utf-8"` -> { type: "text/plain", params: { charset: "utf-8" } }
 * @param {string | undefined} value
 */
export function contentType(value) {
  const [type = "", ...rest] = (value ?? "text/plain").split(";");
  /** @type {Record<string, string>} */
  const params = {};
  for (const part of rest) {
    const eq = part.indexOf("=");
    if (eq > 0) {
      params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().replace(/^"(.*)"$/s, "$1");
    }
  }
  return { type: type.trim().toLowerCase() || "text/plain", params };
}

/**
 * Finds what to show of a MIME entity.
 * @param {Uint8Array} bytes
 * @returns {Readable}
 */
export function readable(bytes) {
  /** @type {Readable} */
  const found = { text: null, html: null, others: [] };
  let parts = 0;
  /**
   * @param {Uint8Array} entityBytes
   * @param {number} depth
   */
  const walk = (entityBytes, depth) => {
    if (++parts > MAX_PARTS) return;
    const { headers, body } = parseEntity(entityBytes);
    const { type, params } = contentType(headers.get("content-type"));
    const disposition = contentType(headers.get("content-disposition") ?? "inline");
    const name = disposition.params.filename ?? params.name ?? "";
    if (type.startsWith("multipart/") && params.boundary && depth < MAX_DEPTH) {
      for (const part of splitMultipart(body, params.boundary)) walk(part, depth + 1);
      return;
    }
    const inline = disposition.type !== "attachment";
    if (inline && type === "text/plain" && found.text === null) {
      found.text = decodeText(body, headers.get("content-transfer-encoding"), params.charset);
    } else if (inline && type === "text/html" && found.html === null) {
      found.html = decodeText(body, headers.get("content-transfer-encoding"), params.charset);
    } else {
      found.others.push({ name: name || "(unnamed)", type, size: body.length });
    }
  };
  walk(bytes, 0);
  return found;
}

/**
 * The body parts of a multipart body (RFC 2046 §5.1.1), without their delimiter line breaks.
 * @param {Uint8Array} body
 * @param {string} boundary
 * @returns {Uint8Array[]}
 */
function splitMultipart(body, boundary) {
  const raw = binary(body);
  const delimiter = `--${boundary}`;
  /** @type {Uint8Array[]} */
  const parts = [];
  let start = -1;
  let at = 0;
  while (at <= raw.length) {
    const next = raw.indexOf(delimiter, at);
    if (next < 0) break;
    const lineStart = next === 0 || raw[next - 1] === "\n";
    if (lineStart) {
      if (start >= 0) {
        const end = raw[next - 2] === "\r" ? next - 2 : next - 1;
        parts.push(body.subarray(start, Math.max(start, end)));
      }
      if (raw.startsWith("--", next + delimiter.length)) break;
      const eol = raw.indexOf("\n", next);
      if (eol < 0) break;
      start = eol + 1;
    }
    at = next + delimiter.length;
  }
  return parts;
}

/**
 * Undoes the transfer encoding and the charset.
 * @param {Uint8Array} body
 * @param {string | undefined} encoding
 * @param {string | undefined} charset
 */
function decodeText(body, encoding, charset) {
  const how = (encoding ?? "7bit").trim().toLowerCase();
  const bytes =
    how === "base64" ? fromBase64(binary(body)) : how === "quoted-printable" ? fromQuotedPrintable(binary(body)) : body;
  return decodeCharset(bytes, charset);
}

/**
 * @param {Uint8Array} bytes
 * @param {string | undefined} charset
 */
function decodeCharset(bytes, charset) {
  try {
    return new TextDecoder(charset || "utf-8").decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes); // an unknown label: show what we can
  }
}

/** @param {string} text */
function fromBase64(text) {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, "");
  try {
    return Uint8Array.from(atob(clean.slice(0, clean.length - (clean.length % 4))), (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array();
  }
}

/** @param {string} text */
function fromQuotedPrintable(text) {
  const soft = text.replace(/=\r?\n/g, "");
  const out = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft[i] === "=" ? soft.slice(i + 1, i + 3) : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(soft.charCodeAt(i) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/**
 * RFC 2047 encoded words in a header value ("=?utf-8?B?...?=").
 * @param {string} value
 */
function decodeWords(value) {
  return value
    .replace(/(\?=)\s+(=\?)/g, "$1$2") // whitespace between encoded words is not shown
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, how, text) => {
      const bytes =
        how.toUpperCase() === "B"
          ? fromBase64(text)
          : fromQuotedPrintable(text.replace(/_/g, " ").replace(/=(?![0-9A-Fa-f]{2})/g, "=3D"));
      return decodeCharset(bytes, String(charset).split("*")[0]);
    });
}

/**
 * Header lines are read one char per byte; raw 8-bit values (RFC 6532) are UTF-8.
 * @param {string} value
 */
function eightBit(value) {
  if (!/[\u0080-\u00ff]/.test(value)) return value;
  return decodeCharset(Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff), "utf-8");
}
