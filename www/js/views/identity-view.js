// @ts-check
/**
 * The identities pane: the keys this tab holds (demo users, imported and generated ones), with a
 * certificate request and a .p12 export for each; import a .p12/.pfx; generate a new identity,
 * self-signed or issued by a local demo CA made here.
 */
import { byId, downloadFile, fileStem, h } from "../dom.js";
import { commonName, dayText, keyAlgorithmName } from "../ui-text.js";
import { clearError, showError, showProblem } from "./error-view.js";

/** @typedef {import("../smime-client.js").SmimeClient} SmimeClient */
/** @typedef {import("../smime-client.js").Identity} Identity */
/** @typedef {import("../keyring.js").Keyring} Keyring */

const ALGORITHMS = /** @type {const} */ (["rsa-2048", "p-256", "p-384", "ed25519"]);

/**
 * @param {{ client: SmimeClient, keyring: Keyring }} context
 */
export function setUpIdentities({ client, keyring }) {
  const list = byId("identity-list", HTMLElement);
  const listError = byId("identity-list-error", HTMLElement);
  const importForm = byId("import-p12-form", HTMLFormElement);
  const p12File = byId("p12-file", HTMLInputElement);
  const p12Password = byId("p12-password", HTMLInputElement);
  const importError = byId("import-p12-error", HTMLElement);
  const importStatus = byId("import-p12-status", HTMLElement);
  const generateForm = byId("generate-form", HTMLFormElement);
  const email = byId("new-email", HTMLInputElement);
  const name = byId("new-name", HTMLInputElement);
  const algorithm = byId("new-algorithm", HTMLSelectElement);
  const byCa = byId("new-by-ca", HTMLInputElement);
  const caButton = byId("create-ca", HTMLButtonElement);
  const caStatus = byId("ca-status", HTMLElement);
  const generateError = byId("generate-error", HTMLElement);
  const generateStatus = byId("generate-status", HTMLElement);

  for (const control of [p12File, p12Password, email, name, algorithm, caButton]) control.disabled = false;
  for (const form of [importForm, generateForm]) {
    for (const button of form.querySelectorAll("button[type=submit]")) {
      if (button instanceof HTMLButtonElement) button.disabled = false;
    }
  }

  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(importError);
    importStatus.textContent = "";
    const file = p12File.files?.[0];
    if (!file) {
      showProblem(importError, "Could not import.", "Choose a .p12 or .pfx file first.");
      return;
    }
    importForm.setAttribute("aria-busy", "true");
    try {
      const identity = await client.importPkcs12(new Uint8Array(await file.arrayBuffer()), p12Password.value);
      keyring.addIdentity(identity);
      importStatus.textContent = `Imported ${identity.info.emails[0] ?? commonName(identity.info.subject)}.`;
      p12Password.value = "";
      p12File.value = "";
    } catch (error) {
      // The file and the other identities stay as they were: try another password.
      showError(importError, `Could not import ${file.name}.`, error);
    } finally {
      importForm.removeAttribute("aria-busy");
    }
  });

  caButton.addEventListener("click", async () => {
    clearError(generateError);
    caButton.disabled = true;
    try {
      const ca = await client.generateIdentity({ email: "demo-ca@localhost.invalid", name: "Local demo CA", ca: true });
      keyring.localCa = ca;
      keyring.addContact({
        info: ca.info,
        certificate: ca.certificate,
        capabilities: [],
        source: "local-ca",
        trusted: true,
      });
      byCa.disabled = false;
      byCa.checked = true;
      caStatus.textContent = `${commonName(ca.info.subject)} made in this tab; you trust it (see Contacts).`;
    } catch (error) {
      caButton.disabled = false;
      showError(generateError, "Could not create the demo CA.", error);
    }
  });

  generateForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(generateError);
    generateStatus.textContent = "";
    const chosen = ALGORITHMS.find((value) => value === algorithm.value) ?? "p-256";
    const issuer = byCa.checked && keyring.localCa && client.isLive(keyring.localCa) ? keyring.localCa : undefined;
    if (byCa.checked && !issuer) {
      showProblem(generateError, "Could not generate the identity.", "Create the local demo CA first.");
      return;
    }
    generateForm.setAttribute("aria-busy", "true");
    try {
      const identity = await client.generateIdentity({
        email: email.value.trim(),
        name: name.value.trim() || undefined,
        algorithm: chosen,
        issuer,
      });
      keyring.addIdentity(identity);
      generateStatus.textContent = `Made ${identity.info.emails[0]} (${keyAlgorithmName(chosen)}, ${issuer ? "issued by the demo CA" : "self-signed"}).`;
    } catch (error) {
      showError(generateError, "Could not generate the identity.", error);
    } finally {
      generateForm.removeAttribute("aria-busy");
    }
  });

  function render() {
    const identities = keyring.identities();
    list.replaceChildren(...identities.map((identity) => item(identity, keyring.demo.includes(identity))));
  }

  /**
   * @param {Identity} identity
   * @param {boolean} demo
   */
  function item(identity, demo) {
    const { info } = identity;
    const address = info.emails[0] ?? commonName(info.subject);
    const selfSigned = info.subject === info.issuer;
    const passwordId = `export-password-${info.fingerprintSha256.slice(0, 16)}`;
    const password = h("input", { id: passwordId, type: "password", autocomplete: "new-password", "data-role": "export-password" });
    const csr = h("button", { type: "button", "data-action": "download-csr" }, "Download CSR");
    const exportButton = h("button", { type: "button", "data-action": "export-p12" }, "Export .p12");
    csr.addEventListener("click", () =>
      run(`Could not make a certificate request for ${address}.`, async () => {
        downloadFile(await client.createCsr(identity), `${fileStem(address)}.csr`, "application/pkcs10");
      }),
    );
    exportButton.addEventListener("click", () =>
      run(`Could not export ${address}.`, async () => {
        if (password.value === "") {
          showProblem(listError, `Could not export ${address}.`, "Choose a password to protect the .p12 file.");
          return;
        }
        const bytes = await client.exportPkcs12(identity, password.value);
        downloadFile(bytes, `${fileStem(address)}.p12`, "application/x-pkcs12");
        password.value = "";
      }),
    );
    return h(
      "li",
      { class: "card", "data-role": "identity", "data-email": address, "data-fingerprint": info.fingerprintSha256 },
      h("p", { class: "card-title" }, h("strong", {}, commonName(info.subject) || address), " ", h("span", { class: "hint" }, `<${address}>`)),
      h(
        "p",
        { class: "hint" },
        `${keyAlgorithmName(info.keyAlgorithm)} · ${selfSigned ? "self-signed" : `issued by ${commonName(info.issuer)}`} · valid until ${dayText(info.notAfter)}${demo ? " · demo user" : ""}`,
      ),
      h(
        "div",
        { class: "card-actions" },
        csr,
        h("label", { for: passwordId }, "Password"),
        password,
        exportButton,
      ),
    );
  }

  /**
   * @param {string} what
   * @param {() => Promise<void>} action
   */
  async function run(what, action) {
    clearError(listError);
    try {
      await action();
    } catch (error) {
      showError(listError, what, error);
    }
  }

  keyring.subscribe(render);
  render();
}
