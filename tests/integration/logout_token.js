#!/usr/bin/env node
/*
 * tests/integration/logout_token.js -- mint a back-channel logout token
 * (OpenID Connect Back-Channel Logout 1.0) signed with the development
 * provider's committed test key, for the logout cases (webapp_logout.sh).
 * TESTS ONLY.
 *
 *   node logout_token.js KEYFILE ISS AUD [CLAIMS-JSON] [--other-key]
 *
 * Claims: iss, aud, iat (now), exp (now + 120), a random jti and the
 * logout event, then CLAIMS-JSON merged over them (a null member removes
 * that claim).  --other-key signs with a fresh key the provider never
 * published (a bad signature).  Prints the compact JWS.
 */
'use strict';

const crypto = require('crypto');
const fs = require('fs');

const args = process.argv.slice(2);
const other = args.includes('--other-key');
const [keyFile, iss, aud, extra] = args.filter((a) => a !== '--other-key');
const jwk = JSON.parse(fs.readFileSync(keyFile, 'utf8')).keys.find((k) => k.kty === 'RSA');
const now = Math.floor(Date.now() / 1000);
const claims = {
  iss,
  aud,
  iat: now,
  exp: now + 120,
  jti: crypto.randomBytes(16).toString('hex'),
  events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
};
for (const [k, v] of Object.entries(extra ? JSON.parse(extra) : {})) {
  if (v === null) delete claims[k]; else claims[k] = v;
}
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const input = `${b64({ alg: 'RS256', typ: 'logout+jwt', kid: jwk.kid })}.${b64(claims)}`;
const key = other ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  : crypto.createPrivateKey({ key: jwk, format: 'jwk' });
const sig = crypto.sign('sha256', Buffer.from(input), key).toString('base64url');
process.stdout.write(`${input}.${sig}\n`);
