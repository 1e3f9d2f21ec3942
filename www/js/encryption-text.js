// @ts-check
/**
 * Plain words for encryption: algorithm names, what an encrypted layer does and does not
 * protect, and why a message cannot be encrypted. CBC and the older ciphers carry no integrity
 * protection, and the words say so every time (DESIGN.md: never show unprotected as protected).
 */

/** @typedef {import("./smime-client.js").EncryptedLayer} EncryptedLayer */

/** Content encryption names the engine reports, in the form people know them. */
const CONTENT_ENCRYPTION_NAMES = {
  "aes-128-cbc": "AES-128-CBC",
  "aes-192-cbc": "AES-192-CBC",
  "aes-256-cbc": "AES-256-CBC",
  "aes-128-gcm": "AES-128-GCM",
  "aes-192-gcm": "AES-192-GCM",
  "aes-256-gcm": "AES-256-GCM",
  "des-ede3-cbc": "3DES-CBC",
  "des-cbc": "DES-CBC",
};

/**
 * Key transport and key agreement families, by the start of the engine's name
 * ("ecdh-p256-sha256kdf/aes128-wrap" -> "ECDH P-256"). The first match wins.
 * @type {[string, string][]}
 */
const KEY_FAMILIES = [
  ["rsa-pkcs1v15", "RSA"],
  ["rsa-oaep", "RSA-OAEP"],
  ["ecdh-p256", "ECDH P-256"],
  ["ecdh-p384", "ECDH P-384"],
  ["ecdh-p521", "ECDH P-521"],
  ["ecdh-", "ECDH"],
  ["x25519", "X25519"],
  ["x448", "X448"],
];

/**
 * "aes-256-cbc" -> "AES-256-CBC"; "rc2-40-cbc" -> "RC2 (40-bit)"; anything else in capitals.
 * @param {string} name
 */
export function contentEncryptionName(name) {
  const key = name.toLowerCase();
  if (Object.hasOwn(CONTENT_ENCRYPTION_NAMES, key)) {
    return CONTENT_ENCRYPTION_NAMES[/** @type {keyof typeof CONTENT_ENCRYPTION_NAMES} */ (key)];
  }
  const rc2 = /^rc2\D*(\d+)?/.exec(key);
  if (rc2) return rc2[1] ? `RC2 (${rc2[1]}-bit)` : "RC2";
  return name.toUpperCase();
}

/**
 * The key family of a key transport or agreement: "RSA", "RSA-OAEP", "ECDH P-256", "X25519".
 * @param {string} name
 */
export function keyFamilyName(name) {
  const key = name.toLowerCase();
  return KEY_FAMILIES.find(([prefix]) => key.startsWith(prefix))?.[1] ?? name;
}

/**
 * Why a content cipher is weak, if it is: others may have been able to read the message.
 * @param {string} name
 * @returns {string | undefined}
 */
export function contentEncryptionWeakness(name) {
  const key = name.toLowerCase();
  if (key.startsWith("rc2") || key === "des-cbc") {
    return `${contentEncryptionName(name)} is weak: others may have been able to read this message.`;
  }
  return undefined;
}

/**
 * The title of an encrypted layer: "Encrypted (AES-256-CBC, RSA)".
 * @param {EncryptedLayer} layer
 */
export function encryptedTitle(layer) {
  return `Encrypted (${contentEncryptionName(layer.contentEncryption)}, ${keyFamilyName(layer.keyTransport)})`;
}

/**
 * What an encrypted layer protects, in one sentence:
 * "Encrypted with AES-256-GCM, integrity protected: any change to the encrypted message would
 * have been detected." or "Encrypted with AES-256-CBC, not integrity protected: the encryption
 * alone cannot show that the message was not changed."
 * @param {EncryptedLayer} layer
 */
export function encryptedSummary(layer) {
  const cipher = contentEncryptionName(layer.contentEncryption);
  if (layer.integrityProtected) {
    return `Encrypted with ${cipher}, integrity protected: any change to the encrypted message would have been detected.`;
  }
  return `Encrypted with ${cipher}, not integrity protected: the encryption alone cannot show that the message was not changed.`;
}

/**
 * What a reader may rely on for a layer without integrity protection, given what lies inside it.
 * @param {boolean} signedInside  a signature layer lies inside this one
 */
export function integrityAdvice(signedInside) {
  return signedInside
    ? "The signature inside shows whether the content was changed."
    : "Nothing inside is signed either: someone could have changed the content on the way.";
}

/**
 * Whether a content cipher the compose pane offers is authenticated (AES-GCM, RFC 5084).
 * @param {string} name
 */
export function protectsIntegrity(name) {
  return /-gcm$/i.test(name);
}

/**
 * How the compose pane describes a content cipher choice.
 * @param {string} name
 */
export function integrityWords(name) {
  return protectsIntegrity(name) ? "integrity protected" : "not integrity protected";
}

/**
 * "a", "a and b", "a, b, and c".
 * @param {string[]} items
 */
export function listText(items) {
  return new Intl.ListFormat("en", { type: "conjunction" }).format(items);
}

/**
 * Why the message cannot be encrypted: some To addresses have no certificate here
 * ("dave@example.org has no certificate here, ...").
 * @param {string[]} missing  the addresses without a certificate
 * @param {string[]} known    the addresses this page holds certificates for
 */
export function missingCertificatesText(missing, known) {
  const whom = missing.length === 1 ? `${missing[0]} has` : `${listText(missing)} have`;
  return (
    `${whom} no certificate here, and a message can only be encrypted for ` +
    `people whose certificate you hold. Certificates known here: ${listText(known)}. ` +
    "Remove the address, or send without encryption."
  );
}
