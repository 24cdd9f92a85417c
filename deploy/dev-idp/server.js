#!/usr/bin/env node
/*
 * Development identity provider for todo-b2c: a real OpenID provider (npm oidc-provider 8.8.1)
 * made to look like an Azure AD B2C tenant. DEVELOPMENT AND TESTS ONLY.
 *
 * One Node http server hosts one oidc-provider instance per user flow (policy) under
 * /{tenant}/{policy}/..., all sharing one tenant-wide issuer and one (committed, public) test
 * signing key. See README.md in this directory.
 *
 * Written for Node >= 18 (no Node-20-only APIs). oidc-provider is ESM-only, so it is loaded
 * with a dynamic import() from this CommonJS file.
 */
'use strict';

const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const querystring = require('querystring');
const net = require('net');

/* ------------------------------------------------------------------------------------------ */
/* Configuration: CLI options with environment-variable equivalents                            */
/* ------------------------------------------------------------------------------------------ */

const OPTIONS = [
  // [cli name, env name, default, kind]
  ['host', 'DEV_IDP_HOST', '127.0.0.1', 'string'],
  ['port', 'DEV_IDP_PORT', '9000', 'int'],
  ['tenant', 'DEV_IDP_TENANT', 'dev.onmicrosoft.com', 'string'],
  ['tenant-id', 'DEV_IDP_TENANT_ID', '00000000-0000-4000-a000-0000000000b2', 'string'],
  ['issuer', 'DEV_IDP_ISSUER', '', 'string'],
  ['susi-policy', 'DEV_IDP_SUSI_POLICY', 'B2C_1_susi', 'string'],
  ['edit-profile-policy', 'DEV_IDP_EDIT_PROFILE_POLICY', 'B2C_1_edit_profile', 'string'],
  ['reset-policy', 'DEV_IDP_RESET_POLICY', 'B2C_1_reset', 'string'],
  ['client-id', 'DEV_IDP_CLIENT_ID', '00000000-0000-4000-a000-000000000001', 'string'],
  ['client-secret', 'DEV_IDP_CLIENT_SECRET', 'dev-client-secret', 'string'],
  ['redirect-uri', 'DEV_IDP_REDIRECT_URIS', 'http://localhost:8080/signin/callback', 'list'],
  ['post-logout-redirect-uri', 'DEV_IDP_POST_LOGOUT_REDIRECT_URIS', 'http://localhost:8080/', 'list'],
  ['backchannel-logout-uri', 'DEV_IDP_BACKCHANNEL_LOGOUT_URI', '', 'string'],
  ['frontchannel-logout-uri', 'DEV_IDP_FRONTCHANNEL_LOGOUT_URI', '', 'string'],
  ['no-iss-parameter', 'DEV_IDP_NO_ISS_PARAMETER', '', 'flag'],
  ['api-audience', 'DEV_IDP_API_AUDIENCE', '00000000-0000-4000-a000-000000000002', 'string'],
  ['api-identifier', 'DEV_IDP_API_IDENTIFIER', 'https://dev.onmicrosoft.com/tasks', 'string'],
  ['access-token-ttl', 'DEV_IDP_ACCESS_TOKEN_TTL', '3600', 'int'],
  ['refresh-token-ttl', 'DEV_IDP_REFRESH_TOKEN_TTL', String(14 * 24 * 3600), 'int'],
  ['signing-key', 'DEV_IDP_SIGNING_KEY', path.join(__dirname, 'test-signing-key.json'), 'string'],
  ['profile', 'DEV_IDP_PROFILE', 'b2c', 'string'],
  ['issuer-host', 'DEV_IDP_ISSUER_HOST', '127.0.0.3', 'string'],
  ['client-cert', 'DEV_IDP_CLIENT_CERT', path.join(__dirname, '..', '..', 'tests', 'keys', 'test-only-client-assertion.crt'), 'string'],
  ['quiet', 'DEV_IDP_QUIET', '', 'flag'],
  ['hostile', 'DEV_IDP_HOSTILE', '', 'flag'],
  ['refresh-reuse', 'DEV_IDP_REFRESH_REUSE', '', 'flag'],
  ['print-config', '', '', 'flag'],
  ['help', '', '', 'flag'],
];

function usage() {
  const lines = ['usage: node deploy/dev-idp/server.js [options]', ''];
  for (const [name, env, def, kind] of OPTIONS) {
    let l = `  --${name}${kind === 'flag' ? '' : ' VALUE'}`;
    l = l.padEnd(40);
    if (env) l += `env ${env}`;
    if (def) l += `  (default ${def})`;
    if (kind === 'list') l += '  [repeatable; env: space/comma separated]';
    lines.push(l);
  }
  return lines.join('\n');
}

function parseConfig(argv, env) {
  const cfg = {};
  const seenList = {};
  for (const [name, envName, def, kind] of OPTIONS) {
    let v = envName && env[envName] !== undefined && env[envName] !== '' ? env[envName] : def;
    if (kind === 'list') v = v ? v.split(/[\s,]+/).filter(Boolean) : [];
    if (kind === 'flag') v = v === '1' || v === 'true' || v === 'yes';
    cfg[name] = v;
  }
  for (let i = 0; i < argv.length; i += 1) {
    let arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument: ${arg}`);
    arg = arg.slice(2);
    let value;
    const eq = arg.indexOf('=');
    if (eq !== -1) { value = arg.slice(eq + 1); arg = arg.slice(0, eq); }
    const opt = OPTIONS.find((o) => o[0] === arg);
    if (!opt) throw new Error(`unknown option --${arg}\n${usage()}`);
    const kind = opt[3];
    if (kind === 'flag') { cfg[arg] = value === undefined ? true : !/^(0|false|no)$/.test(value); continue; }
    if (value === undefined) {
      i += 1;
      if (i >= argv.length) throw new Error(`option --${arg} needs a value`);
      value = argv[i];
    }
    if (kind === 'list') {
      if (!seenList[arg]) { cfg[arg] = []; seenList[arg] = true; }
      cfg[arg].push(value);
    } else {
      cfg[arg] = value;
    }
  }
  for (const [name, , , kind] of OPTIONS) {
    if (kind === 'int') {
      const n = Number(cfg[name]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
      cfg[name] = n;
    }
  }
  if (cfg['access-token-ttl'] < 1) throw new Error('--access-token-ttl must be >= 1');
  cfg['api-identifier'] = cfg['api-identifier'].replace(/\/+$/, '');
  for (const u of [...cfg['redirect-uri'], ...cfg['post-logout-redirect-uri'], cfg['api-identifier']]) {
    try { new URL(u); } catch (e) { throw new Error(`not an absolute URL: ${u}`); } // eslint-disable-line no-new
  }
  return cfg;
}

function isLoopback(host) {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.split('.')[0] === '127';
  if (net.isIPv6(host)) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

function hostForUrl(host) {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/* ------------------------------------------------------------------------------------------ */
/* Users (in memory; development only)                                                          */
/* ------------------------------------------------------------------------------------------ */

const users = new Map(); // key: lowercased username
function addUser(u) { users.set(u.username.toLowerCase(), u); return u; }
addUser({
  username: 'alice', password: 'alice-password', oid: '6f1c2a3b-0001-4a5e-9c7d-a11ce0000001',
  name: 'Alice Anderson', email: 'alice@example.com', scopes: ['read', 'write'],
});
addUser({
  username: 'bob', password: 'bob-password', oid: '6f1c2a3b-0002-4a5e-9c7d-b0b000000002',
  name: 'Bob Brown', email: 'bob@example.com', scopes: ['read', 'write'],
});
addUser({
  username: 'carol', password: 'carol-password', oid: '6f1c2a3b-0003-4a5e-9c7d-ca7010000003',
  name: 'Carol Clark', email: 'carol@example.com', scopes: ['read'],
});
function userByName(name) { return name ? users.get(String(name).trim().toLowerCase()) : undefined; }
function userByOid(oid) {
  for (const u of users.values()) if (u.oid === oid) return u;
  return undefined;
}
function checkPassword(u, password) {
  if (!u || typeof password !== 'string') return false;
  const a = crypto.createHash('sha256').update(u.password).digest();
  const b = crypto.createHash('sha256').update(password).digest();
  return crypto.timingSafeEqual(a, b);
}

/* ------------------------------------------------------------------------------------------ */
/* Storage adapter: in-memory, Session/Interaction shared by all flows (tenant-wide SSO),     */
/* everything else (grants, codes, tokens) private to one flow, as in B2C (AADB2C90088).       */
/* ------------------------------------------------------------------------------------------ */

const store = new Map();
function sGet(k) {
  const e = store.get(k);
  if (!e) return undefined;
  if (e.exp && e.exp <= Date.now()) { store.delete(k); return undefined; }
  return e.v;
}
function sSet(k, v, ttl) { store.set(k, { v, exp: ttl ? Date.now() + ttl * 1000 : 0 }); }
setInterval(() => {
  const now = Date.now();
  for (const [k, e] of store) if (e.exp && e.exp <= now) store.delete(k);
}, 60000).unref();

const SHARED_MODELS = new Set(['Session', 'Interaction']);
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest']);

function makeAdapter(ns, refreshReuse) {
  return class DevAdapter {
    constructor(model) {
      this.model = model;
      this.ns = SHARED_MODELS.has(model) ? 'tenant' : ns;
    }

    key(id) { return `${this.ns}:${this.model}:${id}`; }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      if (this.model === 'Session') sSet(`tenant:sessionUid:${payload.uid}`, id, expiresIn);
      if (GRANTABLE.has(this.model) && payload.grantId) {
        const gk = `${ns}:grant:${payload.grantId}`;
        const list = sGet(gk);
        if (list) list.push(key); else sSet(gk, [key], 0);
      }
      sSet(key, payload, expiresIn);
    }

    async find(id) { return sGet(this.key(id)); }

    async findByUid(uid) {
      const id = sGet(`tenant:sessionUid:${uid}`);
      return id ? this.find(id) : undefined;
    }

    async findByUserCode() { return undefined; }

    async consume(id) {
      // --refresh-reuse: a redeemed refresh token stays valid until it expires, as Microsoft's
      // platform does ("doesn't revoke old refresh tokens when used"); by default it is single use
      // and its reuse ends the grant (OAuth 2.1 rotation), which finds a client that loses one.
      if (this.model === 'RefreshToken' && refreshReuse) return;
      const v = sGet(this.key(id));
      if (v) v.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id) { store.delete(this.key(id)); }

    async revokeByGrantId(grantId) {
      const gk = `${ns}:grant:${grantId}`;
      const list = sGet(gk);
      if (list) { list.forEach((k) => store.delete(k)); store.delete(gk); }
    }
  };
}

/* ------------------------------------------------------------------------------------------ */
/* HTML helpers (no external resources, no scripts on our own pages)                            */
/* ------------------------------------------------------------------------------------------ */

function esc(s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  }[c]));
}

const STYLE = 'body{font-family:system-ui,sans-serif;background:#f3f3f3;margin:0;padding:2em}'
  + 'main{max-width:26em;margin:0 auto;background:#fff;padding:1.5em 2em;border-radius:4px;box-shadow:0 1px 3px rgba(0,0,0,.2)}'
  + 'label{display:block;margin-top:1em;font-weight:600}input{width:100%;box-sizing:border-box;padding:.5em;font-size:1em}'
  + 'button{margin-top:1.2em;padding:.6em 1.4em;font-size:1em}.err{color:#a00;background:#fee;padding:.5em}'
  + '.links{margin-top:1.2em}.links a{margin-right:1em}.note{color:#666;font-size:.85em;margin-top:2em}';

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
${body}
<p class="note">todo-b2c development identity provider (not Azure AD B2C). Development only.</p>
</main>
</body>
</html>
`;
}

function sendHtml(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
  res.setHeader('X-Frame-Options', 'DENY');
  res.end(html);
}

function sendJson(res, status, obj) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(obj, null, 2));
}

function readBody(req, limit = 64 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { reject(new Error('request body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function b2cErrorDescription(code, text) {
  const ts = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return `${code}: ${text}\r\nCorrelation ID: ${crypto.randomUUID()}\r\nTimestamp: ${ts}`;
}

/* ------------------------------------------------------------------------------------------ */
/* Hostile modes (tests only, off unless --hostile): a sign-in whose authorization request     */
/* carries hostile=MODE gets a dishonest token response, to prove the client refuses it.       */
/* ------------------------------------------------------------------------------------------ */

const OTHER_CLIENT_ID = '00000000-0000-4000-a000-0000000000ff';
const OTHER_TENANT_ID = '00000000-0000-4000-a000-0000000000ee';
const HOSTILE_SLOW_MS = 7000;

// mode -> what it does to the id_token's { header, payload } (or to the whole answer).
const HOSTILE_MODES = {
  resign: 'the honest id_token, re-signed by the hostile code path (a control: must be accepted)',
  'wrong-nonce': 'nonce is not the one the client sent',
  'wrong-aud': `aud is another client (${OTHER_CLIENT_ID})`,
  'wrong-iss': `iss is another tenant's issuer (${OTHER_TENANT_ID})`,
  'other-key': 'signed by a test-only key made at start, not in the JWKS (same kid)',
  expired: 'exp an hour ago (iat, nbf two hours ago)',
  'alg-none': 'header alg "none", the honest signature kept (gets past parsing to the alg check)',
  'alg-none-unsecured': 'header alg "none", empty signature (an unsecured JWT, RFC 7519 6.1)',
  'azp-mismatch': `aud [client, ${OTHER_CLIENT_ID}] and azp ${OTHER_CLIENT_ID}`,
  'azp-missing': `aud [client, ${OTHER_CLIENT_ID}] and no azp`,
  'no-id-token': 'the token response has no id_token',
  'no-iat': 'the id_token has no iat',
  'old-iat': 'iat an hour ago (exp still in the future)',
  'wrong-tfp': 'tfp names another user flow (B2C_1_other)',
  'oid-number': 'oid is a number (the user claim present but not a string)',
  'no-access-token': 'the token response has no access_token (nor refresh_token)',
  // Refresh-time modes: the sign-in is honest; the first refresh grant of its tokens is not.
  'refresh-invalid-client': 'the first refresh answers 401 invalid_client',
  'refresh-unauthorized-client': 'the first refresh answers 400 unauthorized_client',
  'refresh-429': 'the first refresh answers 429 (error temporarily_unavailable)',
  'refresh-503': 'the first refresh answers 503 (error temporarily_unavailable)',
  'refresh-slow': `the first refresh is answered (honestly) after ${HOSTILE_SLOW_MS / 1000} s`,
};
// mode -> the answer of the first refresh grant: [status, error] (null: honest, after a delay)
const HOSTILE_REFRESH = {
  'refresh-invalid-client': [401, 'invalid_client'],
  'refresh-unauthorized-client': [400, 'unauthorized_client'],
  'refresh-429': [429, 'temporarily_unavailable'],
  'refresh-503': [503, 'temporarily_unavailable'],
  'refresh-slow': null,
};
const hostileByGrant = new Map(); // grantId of a hostile sign-in -> { mode, exp }
const HOSTILE_TTL_MS = 10 * 60 * 1000;
const hostileByNonce = new Map(); // authorization request nonce -> { mode, exp }

function b64url(buf) {
  return Buffer.from(buf).toString('base64url');
}

/* A compact JWS: signed (RS256) with key, or with the signature part sig ('' for none). */
function jwsSign(header, payload, key, sig = '') {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  if (!key) return `${input}.${sig}`;
  return `${input}.${b64url(crypto.sign('sha256', Buffer.from(input), key))}`;
}

/*
 * Remember params.hostile for the request's nonce and remove it from params.  Returns an error
 * text when the request must be refused (hostile modes off, unknown mode, no nonce).
 */
function hostileTake(cfg, params) {
  if (!('hostile' in params)) return null;
  const mode = params.hostile;
  delete params.hostile;
  if (!cfg.hostile) return 'hostile modes are off (start the provider with --hostile)';
  if (typeof mode !== 'string' || !Object.prototype.hasOwnProperty.call(HOSTILE_MODES, mode)) {
    return `unknown hostile mode; one of: ${Object.keys(HOSTILE_MODES).join(', ')}`;
  }
  if (typeof params.nonce !== 'string' || params.nonce === '') return 'a hostile mode needs a nonce';
  const now = Date.now();
  for (const [k, v] of hostileByNonce) if (v.exp <= now) hostileByNonce.delete(k);
  hostileByNonce.set(params.nonce, { mode, exp: now + HOSTILE_TTL_MS });
  return null;
}

/* The token endpoint's answer for an authorization code whose request asked for a mode. */
function hostileAnswer(h, body) {
  const parts = body.id_token.split('.');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  const entry = typeof payload.nonce === 'string' && hostileByNonce.get(payload.nonce);
  if (!entry || entry.exp <= Date.now()) return null;
  hostileByNonce.delete(payload.nonce); // one answer per sign-in
  if (Object.prototype.hasOwnProperty.call(HOSTILE_REFRESH, entry.mode)) return entry.mode;
  const now = Math.floor(Date.now() / 1000);
  let key = h.key;
  let sig = '';
  switch (entry.mode) {
    case 'wrong-nonce': payload.nonce = `hostile-${crypto.randomBytes(16).toString('hex')}`; break;
    case 'wrong-aud': payload.aud = OTHER_CLIENT_ID; break;
    case 'wrong-iss':
      payload.iss = h.issuer.includes(h.tenantId) ? h.issuer.replace(h.tenantId, OTHER_TENANT_ID)
        : `${h.issuer}${OTHER_TENANT_ID}/`;
      break;
    case 'other-key': key = h.otherKey; break;
    case 'expired': payload.iat = now - 7200; payload.nbf = now - 7200; payload.exp = now - 3600; break;
    case 'alg-none': header.alg = 'none'; delete header.kid; key = null; [, , sig] = parts; break;
    case 'alg-none-unsecured': header.alg = 'none'; delete header.kid; key = null; break;
    case 'azp-mismatch': payload.aud = [h.clientId, OTHER_CLIENT_ID]; payload.azp = OTHER_CLIENT_ID; break;
    case 'azp-missing': payload.aud = [h.clientId, OTHER_CLIENT_ID]; delete payload.azp; break;
    case 'no-id-token': delete body.id_token; return entry.mode;
    case 'no-iat': delete payload.iat; break;
    case 'old-iat': payload.iat = now - 3600; payload.nbf = now - 3600; break;
    case 'wrong-tfp': payload.tfp = 'B2C_1_other'; break;
    case 'oid-number': payload.oid = 12345; break;
    case 'no-access-token': delete body.access_token; delete body.refresh_token; return entry.mode;
    default: break; // resign
  }
  body.id_token = jwsSign(header, payload, key, sig);
  return entry.mode;
}

/* ------------------------------------------------------------------------------------------ */
/* Logout that reaches the applications (issue 16): OpenID Connect Back-Channel Logout 1.0     */
/* (oidc-provider's backchannelLogout, sent here because the automatic confirmation below      */
/* bypasses its own end_session step) and Front-Channel Logout (not in oidc-provider 8: a page */
/* of iframes, as Azure AD B2C and Entra External ID do).                                      */
/* ------------------------------------------------------------------------------------------ */

function logoutClientMetadata(cfg) {
  const m = {};
  // backchannel_logout_session_required also puts "sid" into the id_tokens.
  if (cfg['backchannel-logout-uri']) {
    m.backchannel_logout_uri = cfg['backchannel-logout-uri'];
    m.backchannel_logout_session_required = true;
  }
  return m;
}

/*
 * Tell every application signed in with this provider session: a logout token to each
 * back-channel URI (awaited), and the front-channel URIs to frame (returned) for the
 * applications other than the one that asked to sign out (it has signed itself out).
 */
async function logoutReach(cfg, provider, policy, session, st) {
  const frames = [];
  for (const clientId of Object.keys(session.authorizations || {})) {
    const client = await provider.Client.find(clientId);
    if (!client) continue;
    const sid = session.sidFor(clientId);
    if (client.backchannelLogoutUri) {
      try {
        await client.backchannelLogout(session.accountId, sid);
        console.log(`dev-idp [${policy}] back-channel logout sent to ${client.backchannelLogoutUri}`);
      } catch (e) {
        console.log(`dev-idp [${policy}] back-channel logout to ${client.backchannelLogoutUri} failed: ${e.message}`);
      }
    }
    if (cfg['frontchannel-logout-uri'] && clientId === cfg['client-id'] && clientId !== st.clientId) {
      const u = new URL(cfg['frontchannel-logout-uri']);
      u.searchParams.set('iss', provider.issuer);
      if (sid) u.searchParams.set('sid', sid);
      frames.push(u.href);
    }
  }
  return frames;
}

/*
 * TEST ONLY (--no-iss-parameter): the discovery document stops advertising RFC 9207's
 * authorization_response_iss_parameter_supported (answers still carry iss), so that the
 * application's "checked when present" branch can be tested.
 */
function issParameterSwitch(cfg, provider) {
  if (!cfg['no-iss-parameter']) return;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc && ctx.oidc.route === 'discovery' && ctx.body && typeof ctx.body === 'object') {
      delete ctx.body.authorization_response_iss_parameter_supported;
    }
  });
}

/* The signed-out page framing the front-channel URIs, then on to target (no script). */
function logoutFramesPage(ctx, frames, target) {
  ctx.status = 200;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = page('Signed out', `<meta http-equiv="refresh" content="2;url=${esc(target)}">
<p>You have been signed out of every application.</p>
${frames.map((f) => `<iframe class="frontchannel-logout" src="${esc(f)}" width="1" height="1" title="sign-out"></iframe>`).join('\n')}
<p><a href="${esc(target)}">Continue</a></p>`);
}

/* ------------------------------------------------------------------------------------------ */
/* Entra External ID look-alike (--profile external-id, issue 16): one user flow under          */
/* /{tenant}/ (no policy in the path), the issuer http://ISSUER-HOST:PORT/{tenant-id}/v2.0 on  */
/* a second loopback name (as https://{tenant-id}.ciamlogin.com/{tenant-id}/v2.0), v2 tokens   */
/* (oid, tid, a per-application sub, ver 2.0, no tfp), password reset inside sign-in, AADSTS   */
/* error codes with trace and correlation ids, and certificate client credentials only         */
/* (private_key_jwt with the public key of --client-cert).                                     */
/* ------------------------------------------------------------------------------------------ */

const PROFILES = ['b2c', 'external-id'];
const EXTERNAL = { on: false, tenantId: '' }; // set by main() once the options are read

function externalIdCheck(cfg) {
  if (!PROFILES.includes(cfg.profile)) throw new Error(`--profile must be one of: ${PROFILES.join(', ')}`);
  EXTERNAL.on = cfg.profile === 'external-id';
  EXTERNAL.tenantId = cfg['tenant-id'];
  if (EXTERNAL.on && !isLoopback(cfg['issuer-host'])) throw new Error('--issuer-host must be a loopback address');
}

function externalIdIssuer(cfg, baseUrl) {
  return `http://${hostForUrl(cfg['issuer-host'])}:${new URL(baseUrl).port}/${cfg['tenant-id']}/v2.0`;
}

/* Entra's sub: stable, and different for every application (pairwise). */
function pairwiseSub(appId, oid) {
  return crypto.createHash('sha256').update(`${appId}:${oid}`).digest('base64url');
}

/* The client's public key from its certificate, kid = the certificate's SHA-256 thumbprint. */
function certJwk(file) {
  const x = new crypto.X509Certificate(fs.readFileSync(file));
  const { kty, n, e } = x.publicKey.export({ format: 'jwk' });
  return { kty, n, e, use: 'sig', kid: crypto.createHash('sha256').update(x.raw).digest('base64url') };
}

/* An Entra-style error description: code, text, trace id, correlation id, timestamp. */
function aadstsErrorDescription(code, text) {
  const ts = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return `${code}: ${text}\r\nTrace ID: ${crypto.randomUUID()}\r\nCorrelation ID: ${crypto.randomUUID()}\r\nTimestamp: ${ts}`;
}

/* Turn one flow's B2C configuration into External ID's. */
function externalIdConfigure(cfg, configuration) {
  const client = configuration.clients[0];
  delete client.client_secret;
  client.token_endpoint_auth_method = 'private_key_jwt';
  client.jwks = { keys: [certJwk(cfg['client-cert'])] };
  configuration.clientAuthMethods = ['private_key_jwt'];
  configuration.enabledJWA.clientAuthSigningAlgValues = ['PS256', 'RS256'];
  configuration.claims.openid = ['sub', 'oid', 'tid', 'name', 'email', 'preferred_username', 'ver', 'nbf'];
  const findAccount = configuration.findAccount;
  configuration.findAccount = async (ctx, sub, token) => {
    const account = await findAccount(ctx, sub, token);
    if (!account) return account;
    return {
      accountId: account.accountId,
      async claims(...args) {
        const c = await account.claims(...args);
        const u = userByOid(account.accountId);
        delete c.tfp;
        delete c.emails;
        c.sub = pairwiseSub(cfg['client-id'], account.accountId);
        c.tid = cfg['tenant-id'];
        c.ver = '2.0';
        if (u) { c.email = u.email; c.preferred_username = u.email; }
        return c;
      },
    };
  };
  const jwtCustomizer = configuration.formats.customizers.jwt;
  configuration.formats.customizers.jwt = async (ctx, token, jwt) => {
    await jwtCustomizer(ctx, token, jwt);
    const p = jwt.payload;
    delete p.tfp;
    delete p.emails;
    p.ver = '2.0';
    p.tid = cfg['tenant-id'];
    if (token.accountId) p.sub = pairwiseSub(cfg['api-audience'], token.accountId);
  };
}

/* /{tenant}/REST: the one flow, as the B2C route match [, tfp, tenant, policy, rest] would be. */
function externalIdRoute(cfg, pathname) {
  const x = EXTERNAL.on && /^\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!x) return null;
  const m = [pathname, undefined, x[1], encodeURIComponent(cfg['susi-policy']), x[2]];
  m.prefix = `/${x[1]}`;
  return m;
}

/* ------------------------------------------------------------------------------------------ */
/* Provider construction                                                                       */
/* ------------------------------------------------------------------------------------------ */

async function buildFlows(cfg, baseUrl) {
  const { default: Provider, interactionPolicy, errors } = await import('oidc-provider');

  const keyFile = JSON.parse(fs.readFileSync(cfg['signing-key'], 'utf8'));
  const jwks = { keys: keyFile.keys };
  const cookieKeys = [crypto.randomBytes(32).toString('hex')];
  const issuer = cfg.issuer || (EXTERNAL.on ? externalIdIssuer(cfg, baseUrl) : `${baseUrl}/${cfg['tenant-id']}/v2.0/`);
  const apiId = cfg['api-identifier'];
  const apiScopePrefix = `${apiId}/`;
  const shortScopes = ['read', 'write'];
  const fullScopes = shortScopes.map((s) => apiScopePrefix + s);
  const accessTtl = cfg['access-token-ttl'];
  const refreshTtl = cfg['refresh-token-ttl'];

  const apiIndicators = new Set([apiId, `${apiId}/`]);

  let hostile = null;
  if (cfg.hostile) {
    const jwk = keyFile.keys.find((k) => k.kty === 'RSA' && (!k.alg || k.alg === 'RS256'));
    hostile = {
      key: crypto.createPrivateKey({ key: jwk, format: 'jwk' }),
      // TEST-ONLY key, made at every start and never published: signatures by it must fail.
      otherKey: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      issuer,
      tenantId: cfg['tenant-id'],
      clientId: cfg['client-id'],
    };
  }

  const flowDefs = [
    { kind: 'susi', policy: cfg['susi-policy'] },
    { kind: 'edit_profile', policy: cfg['edit-profile-policy'] },
    { kind: 'reset', policy: cfg['reset-policy'] },
  ];

  const flows = [];
  for (const def of flowDefs.filter((d) => !EXTERNAL.on || d.kind === 'susi')) {
    const { policy, kind } = def;

    const policyRules = interactionPolicy.base();
    const { Check } = interactionPolicy;
    const noSession = policyRules.get('login').checks.get('no_session');
    noSession.description = "AADB2C90077: User does not have an existing session and request prompt parameter has a value of 'None'.";
    if (kind === 'reset') {
      // B2C's password reset always shows its page, even with an existing session.
      policyRules.get('login').checks.add(new Check('reset_password', 'password reset requires End-User interaction',
        'interaction_required', (ctx) => !(ctx.oidc.result && 'login' in ctx.oidc.result)));
    }
    if (kind === 'edit_profile') {
      // Profile editing always shows its page, even with an existing session.
      policyRules.get('consent').checks.add(new Check('edit_profile', 'profile editing requires End-User interaction',
        'interaction_required', (ctx) => !(ctx.oidc.result && 'consent' in ctx.oidc.result)));
    }

    const configuration = {
      adapter: makeAdapter(policy.toLowerCase(), cfg['refresh-reuse']),
      clients: [{
        client_id: cfg['client-id'],
        client_secret: cfg['client-secret'],
        redirect_uris: cfg['redirect-uri'],
        post_logout_redirect_uris: cfg['post-logout-redirect-uri'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted as well
        id_token_signed_response_alg: 'RS256',
        ...logoutClientMetadata(cfg),
      }],
      clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
      jwks,
      cookies: {
        keys: cookieKeys,
        long: { httpOnly: true, sameSite: 'lax', signed: true },
        short: { httpOnly: true, sameSite: 'lax', signed: true },
      },
      claims: {
        openid: ['sub', 'oid', 'name', 'emails', 'tfp', 'ver', 'nbf'],
        acr: null, sid: null, auth_time: null, iss: null,
      },
      conformIdTokenClaims: false,
      scopes: ['openid', 'offline_access'],
      responseTypes: ['code'],
      pkce: { methods: ['S256'], required: () => true },
      routes: {
        authorization: '/oauth2/v2.0/authorize',
        token: '/oauth2/v2.0/token',
        end_session: '/oauth2/v2.0/logout',
        jwks: '/discovery/v2.0/keys',
        userinfo: '/openid/v2.0/userinfo',
        // unused (features disabled) but must not collide
        revocation: '/oauth2/v2.0/revoke',
        introspection: '/oauth2/v2.0/introspect',
        pushed_authorization_request: '/oauth2/v2.0/par',
      },
      features: {
        devInteractions: { enabled: false },
        backchannelLogout: { enabled: true },
        // PAR (RFC 9126), authenticated like the token endpoint (issue 16).
        pushedAuthorizationRequests: { enabled: true },
        // DPoP (RFC 9449, issue 16): a token request with a DPoP proof gets
        // token_type DPoP and an access token bound to the proof's key
        // (cnf.jkt); without one, bearer tokens as before.  No server nonces.
        dPoP: { enabled: true, requireNonce: () => false },
        userinfo: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          // Normally replaced by the automatic confirmation below; a no-JS fallback form.
          async logoutSource(ctx, form) {
            ctx.body = page('Sign out', `${form}
<p>Signing you out.</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`);
          },
          async postLogoutSuccessSource(ctx) {
            ctx.body = page('Signed out', '<p>You have been signed out.</p>');
          },
        },
        resourceIndicators: {
          enabled: true,
          async defaultResource(ctx, client, oneOf) {
            const scope = ctx.oidc.params && typeof ctx.oidc.params.scope === 'string' ? ctx.oidc.params.scope.split(' ') : [];
            if (scope.some((s) => fullScopes.includes(s))) return apiId;
            if (oneOf) return oneOf.length === 1 ? oneOf[0] : oneOf;
            return undefined;
          },
          useGrantedResource: async () => true,
          async getResourceServerInfo(ctx, indicator) {
            if (!apiIndicators.has(indicator)) {
              throw new errors.InvalidTarget(`AADB2C90117: The scope or resource '${indicator}' is not supported.`);
            }
            return {
              scope: fullScopes.join(' '),
              audience: cfg['api-audience'],
              accessTokenTTL: accessTtl,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'RS256' } },
            };
          },
        },
      },
      enabledJWA: {
        idTokenSigningAlgValues: ['RS256'],
        userinfoSigningAlgValues: ['RS256'],
        requestObjectSigningAlgValues: ['RS256'],
      },
      formats: {
        customizers: {
          // B2C-style access token claims.
          async jwt(ctx, token, jwt) {
            const p = jwt.payload;
            const granted = typeof p.scope === 'string' ? p.scope.split(' ') : [];
            p.scp = granted.filter((s) => s.startsWith(apiScopePrefix))
              .map((s) => s.slice(apiScopePrefix.length)).join(' ');
            delete p.scope;
            p.azp = token.clientId;
            p.ver = '1.0';
            p.tfp = policy;
            p.nbf = p.iat;
            if (token.accountId) {
              p.oid = token.accountId;
              const u = userByOid(token.accountId);
              if (u) { p.name = u.name; p.emails = [u.email]; }
            }
            jwt.header = { typ: 'JWT' };
          },
        },
      },
      async findAccount(ctx, sub) {
        const u = userByOid(sub);
        if (!u) return undefined;
        return {
          accountId: u.oid,
          async claims(use) {
            const c = {
              sub: u.oid, oid: u.oid, name: u.name, emails: [u.email], tfp: policy, ver: '1.0',
            };
            if (use === 'id_token') c.nbf = Math.floor(Date.now() / 1000);
            return c;
          },
        };
      },
      // Consent is never asked for: the grant reflects what the user may have (carol: read only).
      async loadExistingGrant(ctx) {
        const { oidc } = ctx;
        const accountId = oidc.session.accountId;
        const clientId = oidc.client.clientId;
        const user = userByOid(accountId);
        const grantId = (oidc.result && oidc.result.consent && oidc.result.consent.grantId)
          || oidc.session.grantIdFor(clientId);
        let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
        if (!grant || grant.accountId !== accountId || grant.clientId !== clientId) {
          grant = new oidc.provider.Grant({ accountId, clientId });
        }
        const oidcScopes = [...oidc.requestParamOIDCScopes];
        if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
        for (const [indicator, rs] of Object.entries(oidc.resourceServers)) {
          const requested = [...oidc.requestParamScopes].filter((s) => rs.scopes.has(s));
          const allowed = requested.filter((s) => user && user.scopes.includes(s.slice(apiScopePrefix.length)));
          const denied = requested.filter((s) => !allowed.includes(s));
          if (allowed.length) grant.addResourceScope(indicator, allowed.join(' '));
          if (denied.length) grant.rejectResourceScope(indicator, denied.join(' '));
        }
        await grant.save();
        return grant;
      },
      interactions: {
        policy: policyRules,
        url(ctx, interaction) {
          return `${ctx.req.devIdpPrefix}/interaction/${interaction.uid}`;
        },
      },
      rotateRefreshToken: true,
      issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
      ttl: {
        AccessToken: accessTtl,
        AuthorizationCode: 60,
        IdToken: accessTtl,
        RefreshToken: refreshTtl,
        Grant: refreshTtl,
        Interaction: 3600,
        Session: 24 * 3600,
      },
      async renderError(ctx, out) {
        ctx.type = 'html';
        ctx.body = page('Sorry, something went wrong', Object.entries(out)
          .map(([k, v]) => `<p><strong>${esc(k)}</strong>: ${esc(v)}</p>`).join('\n'));
      },
      extraParams: [],
      discovery: {
        claim_types_supported: ['normal'],
      },
    };

    if (EXTERNAL.on) externalIdConfigure(cfg, configuration);
    const provider = new Provider(issuer, configuration);
    provider.on('server_error', (ctx, err) => { console.error(`dev-idp [${policy}] server_error:`, err); });
    for (const ev of ['grant.error', 'authorization.error', 'end_session.error', 'userinfo.error']) {
      provider.on(ev, (ctx, err) => {
        console.log(`dev-idp [${policy}] ${ev}: ${err.error || err.message}${err.error_detail ? ` (${err.error_detail})` : ''}`);
      });
    }

    if (hostile) {
      provider.use(async (ctx, next) => {
        await next();
        const { oidc } = ctx;
        if (!oidc || oidc.route !== 'token' || ctx.status !== 200 || !ctx.body
          || typeof ctx.body.id_token !== 'string' || !oidc.params
          || oidc.params.grant_type !== 'authorization_code') return;
        const mode = hostileAnswer(hostile, ctx.body);
        if (mode) console.log(`dev-idp [${policy}] hostile token answer: ${mode}`);
        if (mode && Object.prototype.hasOwnProperty.call(HOSTILE_REFRESH, mode)
          && typeof ctx.body.refresh_token === 'string') {
          // Armed against the sign-in's grant: refresh tokens rotate, the grant stays.
          const rt = await provider.RefreshToken.find(ctx.body.refresh_token).catch(() => undefined);
          if (rt && rt.grantId) hostileByGrant.set(rt.grantId, { mode, exp: Date.now() + HOSTILE_TTL_MS });
        }
      });
    }

    issParameterSwitch(cfg, provider);

    // Automatic logout confirmation (B2C signs out without asking): when the end_session
    // endpoint rendered its confirmation form, finish the logout here instead.
    provider.use(async (ctx, next) => {
      await next();
      const { oidc } = ctx;
      if (!oidc || oidc.route !== 'end_session' || ctx.status !== 200) return;
      const session = oidc.session;
      const st = session && session.state;
      if (!st || !st.secret) return;
      if (session.authorizations) {
        for (const [, auth] of Object.entries(session.authorizations)) {
          if (auth && auth.grantId && !auth.persistsLogout) {
            await Promise.all([
              provider.AccessToken.revokeByGrantId(auth.grantId),
              provider.RefreshToken.revokeByGrantId(auth.grantId),
              provider.AuthorizationCode.revokeByGrantId(auth.grantId),
              provider.Grant.adapter.destroy(auth.grantId),
            ]);
          }
        }
      }
      const frames = await logoutReach(cfg, provider, policy, session, st);
      await session.destroy();
      const cookieOpts = { ...configuration.cookies.long, overwrite: true };
      ctx.cookies.set(provider.cookieName('session'), null, cookieOpts);
      let target;
      if (st.postLogoutRedirectUri) {
        const u = new URL(st.postLogoutRedirectUri);
        if (st.state != null) u.searchParams.set('state', st.state);
        target = u.href;
      } else {
        target = oidc.urlFor('end_session_success');
      }
      if (frames.length) {
        logoutFramesPage(ctx, frames, target);
        return;
      }
      ctx.status = 303;
      ctx.redirect(target);
    });

    flows.push({
      kind, policy, provider, callback: provider.callback(),
    });
  }
  return { flows, issuer };
}

/* ------------------------------------------------------------------------------------------ */
/* Interaction pages (login, forgot password, cancel, sign-up, edit profile, reset password)  */
/* ------------------------------------------------------------------------------------------ */

const pendingProfileLogins = new Map(); // interaction uid -> { accountId, exp }

function loginPage(ix, { error, username } = {}) {
  const { base, flow } = ix;
  const heading = flow.kind === 'edit_profile' ? 'Sign in to edit your profile' : 'Sign in';
  const links = [];
  if (flow.kind === 'susi') {
    links.push(`<a id="forgotPassword" href="${esc(base)}/forgot">Forgot your password?</a>`);
    links.push(`<a id="createAccount" href="${esc(base)}/signup">Sign up now</a>`);
  }
  links.push(`<a id="cancel" href="${esc(base)}/cancel">Cancel</a>`);
  return page(heading, `${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<form id="localAccountForm" method="post" action="${esc(base)}/login">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" required autofocus value="${esc(username || '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="next" type="submit">Sign in</button>
</form>
<p class="links">${links.join('\n')}</p>`);
}

function signupPage(ix, { error, values = {} } = {}) {
  const { base } = ix;
  return page('Sign up', `${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="${esc(base)}/signup">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" required value="${esc(values.username || '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required>
<label for="name">Display name</label>
<input id="name" name="name" type="text" required value="${esc(values.name || '')}">
<label for="email">Email address</label>
<input id="email" name="email" type="email" required value="${esc(values.email || '')}">
<button id="continue" type="submit">Create</button>
</form>
<p class="links"><a id="cancel" href="${esc(base)}/cancel">Cancel</a></p>`);
}

function profilePage(ix, user, { error } = {}) {
  const { base } = ix;
  return page('Edit profile', `${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<p>Signed in as <strong>${esc(user.username)}</strong> (${esc(user.email)}).</p>
<form method="post" action="${esc(base)}/profile">
<label for="name">Display name</label>
<input id="name" name="name" type="text" required autofocus value="${esc(user.name)}">
<button id="continue" type="submit">Continue</button>
</form>
<p class="links"><a id="cancel" href="${esc(base)}/cancel">Cancel</a></p>`);
}

function resetPage(ix, { error, username } = {}) {
  const { base } = ix;
  return page('Reset your password', `${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="${esc(base)}/reset">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" required autofocus value="${esc(username || '')}">
<label for="newPassword">New password</label>
<input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required>
<button id="continue" type="submit">Continue</button>
</form>
<p class="links"><a id="cancel" href="${esc(base)}/cancel">Cancel</a></p>`);
}

async function handleInteraction(flow, prefix, uid, action, req, res) {
  const { provider } = flow;
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (e) {
    sendHtml(res, 400, page('Session expired', '<p class="err">This sign-in request was not found or has expired. Return to the application and start again.</p>'));
    return;
  }
  if (details.uid !== uid) {
    sendHtml(res, 400, page('Session mismatch', '<p class="err">This sign-in request does not match your browser session. Return to the application and start again.</p>'));
    return;
  }
  const ix = { flow, base: `${prefix}/interaction/${uid}` };
  const body = req.method === 'POST'
    ? querystring.parse((await readBody(req)).toString('utf8')) : {};
  const str = (v) => (Array.isArray(v) ? v[0] : v) || '';
  const finish = (result) => provider.interactionFinished(req, res, result,
    { mergeWithLastSubmission: !('error' in result) });
  const promptName = details.prompt.name;
  const sessionAccount = details.session && details.session.accountId;

  switch (action) {
    case '': {
      if (req.method !== 'GET') break;
      if (flow.kind === 'reset') { sendHtml(res, 200, resetPage(ix, { username: details.params.login_hint })); return; }
      if (promptName === 'login') {
        sendHtml(res, 200, loginPage(ix, { username: details.params.login_hint }));
        return;
      }
      // consent (existing session): never ask
      if (flow.kind === 'edit_profile') {
        const u = userByOid(sessionAccount);
        if (u) { sendHtml(res, 200, profilePage(ix, u)); return; }
        sendHtml(res, 200, loginPage(ix, {}));
        return;
      }
      await finish({ consent: {} });
      return;
    }
    case 'login': {
      if (req.method !== 'POST' || flow.kind === 'reset') break;
      const username = str(body.username);
      const u = userByName(username);
      if (!checkPassword(u, str(body.password))) {
        sendHtml(res, 401, loginPage(ix, { error: 'Invalid username or password.', username }));
        return;
      }
      if (flow.kind === 'edit_profile') {
        pendingProfileLogins.set(uid, { accountId: u.oid, exp: Date.now() + 3600 * 1000 });
        sendHtml(res, 200, profilePage(ix, u));
        return;
      }
      await finish({ login: { accountId: u.oid }, consent: {} });
      return;
    }
    case 'profile': {
      if (req.method !== 'POST' || flow.kind !== 'edit_profile') break;
      const pending = pendingProfileLogins.get(uid);
      const accountId = pending && pending.exp > Date.now() ? pending.accountId
        : (promptName === 'consent' ? sessionAccount : undefined);
      const u = userByOid(accountId);
      if (!u) { sendHtml(res, 200, loginPage(ix, { error: 'Please sign in first.' })); return; }
      const name = str(body.name).trim();
      if (!name || name.length > 200) { sendHtml(res, 400, profilePage(ix, u, { error: 'Enter a display name (1 to 200 characters).' })); return; }
      u.name = name;
      pendingProfileLogins.delete(uid);
      await finish(pending ? { login: { accountId: u.oid }, consent: {} } : { consent: {} });
      return;
    }
    case 'reset': {
      if (req.method !== 'POST' || (flow.kind !== 'reset' && !(EXTERNAL.on && flow.kind === 'susi'))) break;
      const username = str(body.username);
      const u = userByName(username);
      const pw = str(body.newPassword);
      if (!u) { sendHtml(res, 400, resetPage(ix, { error: 'No account found for that username.', username })); return; }
      if (pw.length < 1) { sendHtml(res, 400, resetPage(ix, { error: 'Enter a new password.', username })); return; }
      u.password = pw;
      await finish({ login: { accountId: u.oid }, consent: {} });
      return;
    }
    case 'signup': {
      if (flow.kind !== 'susi') break;
      if (req.method === 'GET') { sendHtml(res, 200, signupPage(ix)); return; }
      if (req.method !== 'POST') break;
      const values = {
        username: str(body.username).trim(), name: str(body.name).trim(), email: str(body.email).trim(),
      };
      const pw = str(body.password);
      let error;
      if (!/^[A-Za-z0-9._@-]{1,64}$/.test(values.username)) error = 'Username: 1-64 letters, digits or ._@-';
      else if (userByName(values.username)) error = 'A user with this username already exists.';
      else if (!pw) error = 'Enter a password.';
      else if (!values.name) error = 'Enter a display name.';
      else if (!/^[^@\s]+@[^@\s]+$/.test(values.email)) error = 'Enter an email address.';
      if (error) { sendHtml(res, 400, signupPage(ix, { error, values })); return; }
      const u = addUser({
        ...values, password: pw, oid: crypto.randomUUID(), scopes: ['read', 'write'],
      });
      await finish({ login: { accountId: u.oid }, consent: {} });
      return;
    }
    case 'forgot': {
      if (flow.kind !== 'susi') break;
      if (EXTERNAL.on) { sendHtml(res, 200, resetPage(ix)); return; } // reset inside sign-in
      await finish({
        error: 'access_denied',
        error_description: b2cErrorDescription('AADB2C90118', 'The user has forgotten their password.'),
      });
      return;
    }
    case 'cancel': {
      await finish({
        error: 'access_denied',
        error_description: EXTERNAL.on ? aadstsErrorDescription('AADSTS65004', 'User declined to consent to access the app.')
          : b2cErrorDescription('AADB2C90091', 'The user has cancelled entering self-asserted information.'),
      });
      return;
    }
    default:
  }
  sendHtml(res, 404, page('Not found', '<p>Unknown page.</p>'));
}

/* ------------------------------------------------------------------------------------------ */
/* Request router                                                                              */
/* ------------------------------------------------------------------------------------------ */

function addConsentPrompt(params) {
  // oidc-provider ignores offline_access unless prompt contains consent; B2C does not need it.
  // Add it here (consent itself is approved silently), so the app need not send prompt.
  const scope = typeof params.scope === 'string' ? params.scope.split(' ') : [];
  if (!scope.includes('offline_access')) return false;
  const prompt = typeof params.prompt === 'string' ? params.prompt.split(' ').filter(Boolean) : [];
  if (prompt.includes('none') || prompt.includes('consent')) return false;
  prompt.push('consent');
  params.prompt = prompt.join(' ');
  return true;
}

function makeRouter(cfg, flows, issuer, baseUrl) {
  const tenantNames = new Set([cfg.tenant.toLowerCase(), cfg['tenant-id'].toLowerCase()]);
  const byPolicy = new Map(flows.map((f) => [f.policy.toLowerCase(), f]));

  return async function route(req, res) {
    const qi = req.url.indexOf('?');
    const pathname = qi === -1 ? req.url : req.url.slice(0, qi);
    const search = qi === -1 ? '' : req.url.slice(qi);

    if (pathname === '/' && req.method === 'GET') {
      const list = flows.map((f) => {
        const u = `${baseUrl}/${cfg.tenant}/${f.policy}/v2.0/.well-known/openid-configuration`;
        return `<li>${esc(f.policy)}: <a href="${esc(u)}">${esc(u)}</a></li>`;
      }).join('\n');
      sendHtml(res, 200, page('todo-b2c dev-idp', `<p>Issuer: <code>${esc(issuer)}</code></p><ul>${list}</ul>`));
      return;
    }
    if (pathname === '/healthz') { sendJson(res, 200, { ok: true }); return; }

    const m = externalIdRoute(cfg, pathname) || /^(\/tfp)?\/([^/]+)\/([^/]+)(\/.*)?$/.exec(pathname);
    const flow = m && tenantNames.has(decodeURIComponent(m[2]).toLowerCase()) && byPolicy.get(decodeURIComponent(m[3]).toLowerCase());
    if (!flow) { sendJson(res, 404, { error: 'not_found', error_description: 'unknown tenant or policy' }); return; }
    const prefix = m.prefix || `${m[1] || ''}/${m[2]}/${m[3]}`;
    let rest = m[4] || '/';
    req.devIdpPrefix = prefix;

    const im = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/([a-z]+))?\/?$/.exec(rest);
    if (im) {
      await handleInteraction(flow, prefix, im[1], im[2] || '', req, res);
      return;
    }

    // B2C metadata lives at /{tenant}/{policy}/v2.0/.well-known/openid-configuration while the
    // endpoints live at /{tenant}/{policy}/oauth2/v2.0/...: make the provider see mount = prefix.
    let originalUrl = req.url;
    if (rest === '/v2.0/.well-known/openid-configuration') {
      rest = '/.well-known/openid-configuration';
      originalUrl = prefix + rest + search;
    }

    let newSearch = search;
    if (rest === '/oauth2/v2.0/authorize') {
      if (req.method === 'GET') {
        const params = querystring.parse(search.slice(1));
        const hostileParam = 'hostile' in params;
        const refused = hostileTake(cfg, params);
        if (refused) { sendJson(res, 400, { error: 'invalid_request', error_description: refused }); return; }
        if (addConsentPrompt(params) || hostileParam) newSearch = `?${querystring.stringify(params)}`;
      } else if (req.method === 'POST' && /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] || '')) {
        const params = querystring.parse((await readBody(req)).toString('utf8'));
        const refused = hostileTake(cfg, params);
        if (refused) { sendJson(res, 400, { error: 'invalid_request', error_description: refused }); return; }
        addConsentPrompt(params);
        req.body = querystring.stringify(params);
      }
    } else if (rest === '/oauth2/v2.0/par' && req.method === 'POST'
      && /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] || '')) {
      // A pushed request is an authorization request: the same consent prompt.
      const params = querystring.parse((await readBody(req)).toString('utf8'));
      addConsentPrompt(params);
      req.body = querystring.stringify(params);
    } else if (rest === '/oauth2/v2.0/token' && req.method === 'POST'
      && /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] || '')) {
      const params = querystring.parse((await readBody(req)).toString('utf8'));
      if (!cfg.quiet) console.log(`dev-idp [${flow.policy}] token request: ${String(params.grant_type)}`);
      const rt = params.grant_type === 'refresh_token' && typeof params.refresh_token === 'string'
        ? await flow.provider.RefreshToken.find(params.refresh_token, { ignoreExpiration: true }).catch(() => undefined)
        : undefined;
      const armed = cfg.hostile && rt && rt.grantId && hostileByGrant.get(rt.grantId);
      if (armed && armed.exp > Date.now()) {
        hostileByGrant.delete(rt.grantId); // the first refresh only
        console.log(`dev-idp [${flow.policy}] hostile refresh answer: ${armed.mode}`);
        const answer = HOSTILE_REFRESH[armed.mode];
        if (answer) {
          sendJson(res, answer[0], { error: answer[1], error_description: `hostile mode ${armed.mode}` });
          return;
        }
        await new Promise((resolve) => { setTimeout(resolve, HOSTILE_SLOW_MS); });
      }
      if (rt && typeof params.scope === 'string') {
        // B2C returns the granted subset when more is asked for; oidc-provider would reject it.
        const have = new Set(String(rt.scope || '').split(' '));
        const keep = params.scope.split(' ').filter((s) => have.has(s));
        if (keep.length) params.scope = keep.join(' '); else delete params.scope;
      }
      req.body = querystring.stringify(params);
    }

    req.originalUrl = originalUrl === req.url ? prefix + rest + newSearch : originalUrl;
    req.url = rest + newSearch;
    flow.callback(req, res);
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Main                                                                                        */
/* ------------------------------------------------------------------------------------------ */

function describe(cfg, baseUrl, issuer) {
  const policies = [cfg['susi-policy'], cfg['edit-profile-policy'], cfg['reset-policy']];
  return {
    issuer,
    metadata_url_template: `${baseUrl}/${cfg.tenant}/{policy}/v2.0/.well-known/openid-configuration`,
    metadata_urls: Object.fromEntries(policies.map((p) => [p, `${baseUrl}/${cfg.tenant}/${p}/v2.0/.well-known/openid-configuration`])),
    authorization_endpoint_template: `${baseUrl}/${cfg.tenant}/{policy}/oauth2/v2.0/authorize`,
    token_endpoint_template: `${baseUrl}/${cfg.tenant}/{policy}/oauth2/v2.0/token`,
    end_session_endpoint_template: `${baseUrl}/${cfg.tenant}/{policy}/oauth2/v2.0/logout`,
    jwks_uri_template: `${baseUrl}/${cfg.tenant}/{policy}/discovery/v2.0/keys`,
    tenant: cfg.tenant,
    tenant_id: cfg['tenant-id'],
    policies: { susi: policies[0], edit_profile: policies[1], reset: policies[2] },
    client_id: cfg['client-id'],
    redirect_uris: cfg['redirect-uri'],
    post_logout_redirect_uris: cfg['post-logout-redirect-uri'],
    api_audience: cfg['api-audience'],
    api_identifier: cfg['api-identifier'],
    scopes: ['openid', 'offline_access', `${cfg['api-identifier']}/read`, `${cfg['api-identifier']}/write`],
    access_token_ttl: cfg['access-token-ttl'],
    hostile_modes: cfg.hostile ? Object.keys(HOSTILE_MODES) : [],
    users: [...users.values()].map((u) => ({
      username: u.username, password: u.password, oid: u.oid, name: u.name, email: u.email, scopes: u.scopes.join(' '),
    })),
  };
}

async function main() {
  let cfg;
  try {
    cfg = parseConfig(process.argv.slice(2), process.env);
  } catch (e) {
    console.error(`dev-idp: ${e.message}`);
    process.exit(2);
  }
  if (cfg.help) { console.log(usage()); return; }
  try {
    externalIdCheck(cfg);
  } catch (e) {
    console.error(`dev-idp: ${e.message}`);
    process.exit(2);
  }
  if (!isLoopback(cfg.host)) {
    console.error(`dev-idp: refusing to bind to non-loopback address ${cfg.host} (development only; use 127.x.x.x or ::1)`);
    process.exit(2);
  }
  if (cfg['print-config']) {
    const baseUrl = `http://${hostForUrl(cfg.host)}:${cfg.port}`;
    console.log(JSON.stringify(describe(cfg, baseUrl, cfg.issuer || `${baseUrl}/${cfg['tenant-id']}/v2.0/`), null, 2));
    return;
  }

  // Silence one harmless notice caused by our pre-reading of request bodies.
  const origWarn = console.warn;
  console.warn = (...args) => {
    if (typeof args[0] === 'string' && args[0].includes('already parsed request body')) return;
    origWarn.apply(console, args);
  };

  let router = null;
  const server = http.createServer((req, res) => {
    const started = Date.now();
    const qi = req.url.indexOf('?');
    const logPath = qi === -1 ? req.url : req.url.slice(0, qi); // never log query strings
    if (!cfg.quiet) {
      res.on('finish', () => {
        console.log(`${new Date().toISOString()} ${req.method} ${logPath} ${res.statusCode} ${Date.now() - started}ms`);
      });
    }
    if (!router) { sendJson(res, 503, { error: 'temporarily_unavailable' }); return; }
    Promise.resolve(router(req, res)).catch((err) => {
      console.error('dev-idp: internal error:', err && err.stack ? err.stack : err);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.end();
    });
  });

  server.on('error', (err) => {
    console.error(`dev-idp: ${err.message}`);
    process.exit(1);
  });
  server.listen(cfg.port, cfg.host, async () => {
    const { port } = server.address();
    const baseUrl = `http://${hostForUrl(cfg.host)}:${port}`;
    try {
      const { flows, issuer } = await buildFlows(cfg, baseUrl);
      router = makeRouter(cfg, flows, issuer, baseUrl);
      if (!cfg.quiet) {
        console.log(`dev-idp issuer ${issuer}`);
        if (cfg.hostile) console.log(`dev-idp HOSTILE MODES ON (tests only): ${Object.keys(HOSTILE_MODES).join(' ')}`);
        if (EXTERNAL.on) console.log(`dev-idp metadata ${baseUrl}/${cfg.tenant}/v2.0/.well-known/openid-configuration (External ID look-alike, one user flow)`);
        else console.log(`dev-idp metadata ${baseUrl}/${cfg.tenant}/{policy}/v2.0/.well-known/openid-configuration (policies ${flows.map((f) => f.policy).join(', ')})`);
      }
      console.log(`dev-idp listening on ${baseUrl}`);
    } catch (e) {
      console.error('dev-idp: failed to start:', e && e.stack ? e.stack : e);
      process.exit(1);
    }
  });

  const stop = () => { server.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
