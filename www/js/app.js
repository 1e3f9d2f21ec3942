// @ts-check
/**
 * The webmail shell: starts the S/MIME client, loads the demo users and wires the panes.
 * UI only; everything S/MIME goes through smime-client.js.
 */
import { byId } from "./dom.js";
import { Keyring } from "./keyring.js";
import { SmimeClient } from "./smime-client.js";
import { commonName } from "./ui-text.js";
import { setUpCompose } from "./views/compose-view.js";
import { setUpContacts } from "./views/contacts-view.js";
import { showError } from "./views/error-view.js";
import { setUpIdentities } from "./views/identity-view.js";
import { setUpReader } from "./views/reader-view.js";

/** @typedef {import("./smime-client.js").DemoIdentities} DemoIdentities */

const status = byId("status", HTMLElement);

async function main() {
  const client = await SmimeClient.start();

  /** @type {DemoIdentities} */
  let demo = await client.loadDemoIdentities();
  const keyring = new Keyring();
  keyring.demo = demo.identities;
  /**
   * The demo users, loaded again into a fresh worker if the old one stopped; the user's own
   * identities are dropped then (their keys were in that worker).
   */
  async function currentDemo() {
    if (!demo.identities.every((identity) => client.isLive(identity))) {
      demo = await client.loadDemoIdentities();
      keyring.demo = demo.identities;
      keyring.own = keyring.own.filter((identity) => client.isLive(identity));
      keyring.changed();
    }
    return demo;
  }

  const contacts = setUpContacts({ client, keyring });
  const reader = setUpReader({
    open: async (message) => {
      const { trustAnchors } = await currentDemo();
      const opened = await client.open({
        message,
        decryptionKeys: keyring.identities(),
        trustAnchors: [...trustAnchors, ...keyring.trustedAnchors()],
      });
      contacts.harvest(opened);
      return opened;
    },
  });
  setUpCompose({
    client,
    keyring,
    senders: async () => {
      await currentDemo();
      return keyring.identities();
    },
    verify: (bytes, name) => void reader.openBytes(bytes, name),
  });
  setUpIdentities({ client, keyring });

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
