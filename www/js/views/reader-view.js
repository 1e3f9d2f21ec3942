// @ts-check
/**
 * The reader pane: takes a message (file picker, drag and drop, or the one just signed), asks the
 * engine to open it and shows the report.
 */
import { byId } from "../dom.js";
import { clearError, showError } from "./error-view.js";
import { renderReport } from "./report-view.js";

/** @typedef {import("../smime-client.js").Opened} Opened */

/**
 * @typedef {object} ReaderContext
 * @property {(message: Uint8Array) => Promise<Opened>} open  opens with the page's keys and trust
 */

/** Larger files are refused before they reach the engine. */
const MAX_FILE_BYTES = 25 * 1024 * 1024;

/**
 * @param {ReaderContext} context
 * @returns {{ openBytes: (bytes: Uint8Array, name: string) => Promise<void> }}
 */
export function setUpReader(context) {
  const pane = byId("reader", HTMLElement);
  const input = byId("eml-file", HTMLInputElement);
  const dropZone = byId("drop-zone", HTMLElement);
  const errorBox = byId("reader-error", HTMLElement);
  const report = byId("report", HTMLElement);
  const announce = byId("reader-status", HTMLElement);
  input.disabled = false;

  let generation = 0; // a newer file wins over a slower older one

  /**
   * @param {Uint8Array} bytes
   * @param {string} name
   */
  async function openBytes(bytes, name) {
    const mine = ++generation;
    clearError(errorBox);
    announce.textContent = `Opening ${name}…`;
    pane.setAttribute("aria-busy", "true");
    report.dataset.state = "opening";
    try {
      const opened = await context.open(bytes);
      if (mine !== generation) return;
      announce.textContent = `${name}: ${renderReport(report, { name, original: bytes, opened })}`;
      report.dataset.state = "shown";
    } catch (error) {
      if (mine !== generation) return;
      report.hidden = true;
      report.dataset.state = "error";
      announce.textContent = "";
      showError(errorBox, `Could not open ${name}.`, error);
    } finally {
      if (mine === generation) pane.removeAttribute("aria-busy");
    }
    report.scrollIntoView?.({ block: "nearest" });
  }

  /** @param {File} file */
  async function openFile(file) {
    report.dataset.state = "opening"; // at once, before the file is read
    if (file.size > MAX_FILE_BYTES) {
      report.dataset.state = "error";
      report.hidden = true;
      const tooLarge = { code: "ERR_TOO_LARGE", message: `${file.name} is larger than 25 MB` };
      showError(errorBox, `Could not open ${file.name}.`, tooLarge);
      return;
    }
    await openBytes(new Uint8Array(await file.arrayBuffer()), file.name);
  }

  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) void openFile(file);
    input.value = ""; // choosing the same file again opens it again
  });

  // Anywhere on the page, a dropped file is opened rather than navigated to.
  document.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    dropZone.dataset.dragging = "true";
  });
  document.addEventListener("dragleave", (event) => {
    if (event.relatedTarget === null) delete dropZone.dataset.dragging;
  });
  document.addEventListener("drop", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    delete dropZone.dataset.dragging;
    const file = event.dataTransfer.files[0];
    if (file) void openFile(file);
  });

  return { openBytes };
}
