// @ts-check
/**
 * The webmail shell: starts the S/MIME client, loads the demo users and wires the panes.
 * UI only; everything S/MIME goes through smime-client.js.
 */
import { byId } from "./dom.js";
import { SmimeClient } from "./smime-client.js";
import { commonName } from "./ui-text.js";
import { setUpCompose } from "./views/compose-view.js";
import { showError } from "./views/error-view.js";
import { setUpReader } from "./views/reader-view.js";

/** @typedef {import("./smime-client.js").DemoIdentities} DemoIdentities */

const status = byId("status", HTMLElement);

async function main() {
  const client = await SmimeClient.start();

  /** @type {DemoIdentities} */
  let demo = await client.loadDemoIdentities();
  /** The demo users, loaded again into a fresh worker if the old one stopped. */
  async function currentDemo() {
    if (!demo.identities.every((identity) => client.isLive(identity))) {
      demo = await client.loadDemoIdentities();
    }
    return demo;
  }

  const reader = setUpReader({
    open: async (message) => {
      const { identities, trustAnchors } = await currentDemo();
      return client.open({ message, decryptionKeys: identities, trustAnchors });
    },
  });
  setUpCompose(
    {
      client,
      senders: async () => (await currentDemo()).identities,
      verify: (bytes, name) => void reader.openBytes(bytes, name),
    },
    demo.identities,
  );

  const anchors = await Promise.all(demo.trustAnchors.map((pem) => client.certificateInfo(pem)));
  const names = demo.identities.map((identity) => commonName(identity.info.subject));
  status.textContent =
    `Ready. Demo users: ${names.join(", ")}. ` +
    `Trusted authority: ${anchors.map((info) => commonName(info.subject)).join(", ")}.`;
  document.body.dataset.appState = "ready";
}

main().catch((error) => {
  document.body.dataset.appState = "failed";
  status.textContent = "The S/MIME engine could not start.";
  showError(byId("startup-error", HTMLElement), "The page cannot sign or read messages. Reload it to try again.", error);
});
