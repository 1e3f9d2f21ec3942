//! TypeScript declarations of the plain objects the binding takes and returns (API.md), so that
//! the generated `.d.ts` types them instead of `any`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A certificate as PEM text or DER bytes. */
export type Cert = string | Uint8Array;
/** A private key as PEM text or DER bytes (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1). */
export type Key = string | Uint8Array;
/**
 * A certificate file's bytes (or its text): one DER certificate, PEM with any number of
 * CERTIFICATE and PKCS7/CMS blocks, or a certs-only SignedData (`.p7c`/`.p7b`), DER or BER.
 */
export type CertificateFile = Uint8Array | string;
export type CertificateInfo = {
  subject: string; issuer: string; serialNumber: string; emails: string[];
  notBefore: string; notAfter: string; keyAlgorithm: string; keyUsage: string[];
  extendedKeyUsage: string[]; isCa: boolean; fingerprintSha256: string; capabilities?: string[];
};
export type SignerReport = {
  certificate: CertificateInfo | null;
  signature: "valid" | "invalid"; signatureError?: string;
  chain: "trusted" | "untrusted" | "expired" | "revoked" | "not-checked"; chainError?: string;
  digest: string; signatureAlgorithm: string; signingTime?: string;
  addressMatch: boolean | null; weakDigest: boolean;
  /** "weak-key" (signer RSA key under 2048 bits), "weak-chain" (SHA-1/MD5 or small-key certificate on the path). */
  warnings: string[];
  /** Where to encrypt replies (the signer's SMIMEEncryptionKeyPreference, else its own certificate), with learned `capabilities`; only for a valid signature. */
  encryptionCertificate: (CertificateInfo & { pem: string }) | null;
};
export type Layer =
  | { kind: "signed"; format: "detached" | "opaque"; signers: SignerReport[] }
  | { kind: "encrypted"; contentEncryption: string; keyTransport: string; integrityProtected: boolean;
      /** Whose key (of the decryptionKeys) opened it. */
      recipient: CertificateInfo };
/** An S/MIME entity inside the innermost content, opened on its own: never merge it with the parts around it. */
export type EmbeddedPart = { path: number[]; opened?: Opened; error?: Error & { code: string } };
export type Opened = { content: Uint8Array; layers: Layer[]; parts: EmbeddedPart[] };
/** Anything with the `handle` of a live Identity (the Identity itself). */
export type IdentityRef = { readonly handle: number };
export type ImportIdentityOptions = { certificate: Cert; privateKey: Key; password?: string; chain?: Cert[] };
export type ComposeOptions = {
  from: string; to: string[]; cc?: string[]; subject: string; text?: string; html?: string;
  attachments?: { filename: string; contentType: string; data: Uint8Array }[];
  date?: Date | number; messageId?: string;
  /** Message ids, with or without angle brackets, of the message answered and of the thread. */
  inReplyTo?: string; references?: string[];
};
/** PBKDF2 iterations for the bags and the MAC: 10,000 to 10,000,000 (default 100,000). */
export type ExportPkcs12Options = { iterations?: number };
export type Mailbox = { name?: string; address: string };
/** Decoded header fields; `date` is ISO 8601 UTC; message ids come without angle brackets. */
export type HeaderView = {
  from: Mailbox[]; to: Mailbox[]; cc: Mailbox[]; replyTo: Mailbox[];
  subject?: string; date?: string; messageId?: string; inReplyTo?: string; references: string[];
};
/** What the top-level Content-Type announces; nothing has been decrypted or verified. */
export type Protection = "encrypted" | "signed" | "plain";
/** A leaf part other than the text and HTML bodies; `data` without its transfer encoding. */
export type PartView = {
  filename?: string; contentType: string; contentId?: string; inline: boolean; data: Uint8Array;
};
export type MessageView = {
  headers: HeaderView; text?: string;
  /** As sent: sanitise before showing (scripts, forms, remote content). */
  html?: string;
  attachments: PartView[]; protection: Protection;
};
export type MessageHeaders = HeaderView & { protection: Protection };
export type SignOptions = {
  signingKey: IdentityRef; format?: "detached" | "opaque";
  digest?: "sha256" | "sha384" | "sha512"; now?: Date | number;
};
/** A certificate revocation list as PEM text or DER bytes. */
export type CrlInput = string | Uint8Array;
export type VerifyOptions = { trustAnchors?: Cert[]; intermediates?: Cert[]; crls?: CrlInput[]; now?: Date | number };
export type OpenOptions = VerifyOptions & { decryptionKeys?: IdentityRef[] };
/** A recipient certificate, optionally with what it advertised (CertificateInfo.capabilities). */
export type Recipient = Cert | { certificate: Cert; capabilities?: string[] };
export type ContentEncryption = "aes-128-cbc" | "aes-192-cbc" | "aes-256-cbc" | "aes-128-gcm" | "aes-256-gcm";
/** For RSA recipients; EC and X25519 recipients always take the content key by ECDH key agreement. */
export type KeyTransport = "rsa-pkcs1v15" | "rsa-oaep";
export type EncryptOptions = {
  /** Without `contentEncryption`/`keyTransport`, AES-GCM and RSA-OAEP are chosen only when every recipient advertised them (`encryptionChoice`). */
  recipients: Recipient[];
  contentEncryption?: ContentEncryption;
  keyTransport?: KeyTransport;
  recipientIdentifier?: "issuer-and-serial" | "subject-key-identifier";
};
/**
 * What `encrypt` chooses for some recipients when `contentEncryption`/`keyTransport` are left out.
 * `keyTransport` is what RSA recipients get: EC and X25519 recipients take the content key by ECDH
 * key agreement whatever it says, though what they advertised counts towards it.
 */
export type EncryptionChoice = { contentEncryption: ContentEncryption; keyTransport: KeyTransport };
export type GenerateIdentityOptions = {
  email: string; name?: string;
  algorithm?: "rsa-2048" | "rsa-3072" | "rsa-4096" | "p-256" | "p-384" | "ed25519" | "x25519";
  validDays?: number; issuer?: IdentityRef; ca?: boolean; now?: Date | number;
};
export type DecryptOptions = { decryptionKeys: IdentityRef[]; now?: Date | number };
"#;
