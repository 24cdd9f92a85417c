// tests/tools/unseal.js -- TEST-ONLY: open a value the web app sealed in
// PostgreSQL (AES-256-GCM as lib/crypto.c's crypto_seal makes it: iv (12) ||
// ciphertext || tag (16), base64url, after an optional "KEYID:"), so that a
// test can look at what the token cache holds.  Written with Node's crypto,
// not the code under test.
//
//   node unseal.js KEYFILE AAD SEALED    prints the plaintext
//
// KEYFILE holds 32 raw bytes or 64 hex digits (a one-key cache_key_file);
// AAD is what store.c binds the value to: "SESSION_HASH|KIND".
'use strict';

const fs = require('fs');
const crypto = require('crypto');

const [keyFile, aad, sealed] = process.argv.slice(2);
if (!keyFile || aad === undefined || !sealed) {
  process.stderr.write('usage: unseal.js KEYFILE AAD SEALED\n');
  process.exit(2);
}
let key = fs.readFileSync(keyFile);
if (key.length !== 32) key = Buffer.from(key.toString().trim(), 'hex');
const raw = Buffer.from(sealed.slice(sealed.indexOf(':') + 1), 'base64url');
const d = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
d.setAAD(Buffer.from(aad));
d.setAuthTag(raw.subarray(raw.length - 16));
process.stdout.write(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)),
  d.final()]).toString());
