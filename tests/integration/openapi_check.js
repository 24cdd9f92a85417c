// tests/integration/openapi_check.js DOC ANSWERS: check the API's OpenAPI
// document (DOC, as GET /api/openapi.json served it) against the OpenAPI
// 3.1 schema, then check every recorded answer (ANSWERS: JSON lines
// {method, path, status, ctype, body, headers}, path a template of the
// document such as /tasks/{id}) against the document: the status is
// documented for the operation, a JSON body matches the response's
// schema, and each documented header the answer carries matches its
// schema.  Prints TAP lines "ok"/"not ok" (no plan: the calling suite
// counts them) and exits 0.  Run with Node 18 or later from the
// repository (node_modules holds the pinned validators).
'use strict';

const fs = require('fs');
const path = require('path');
const url = require('url');

const root = path.resolve(__dirname, '..', '..');
const nm = process.env.NODE_MODULES_DIR || path.join(root, 'node_modules');
const Ajv2020 = require(path.join(nm, 'ajv', 'dist', '2020.js')).default;

function tap(ok, name, detail) {
  console.log(`${ok ? 'ok' : 'not ok'} - openapi: ${name}`);
  if (!ok && detail) {
    for (const l of String(detail).split('\n').slice(0, 8)) console.log(`# ${l}`);
  }
}

async function main() {
  const [docFile, answersFile] = process.argv.slice(2);
  const { Validator } = await import(url.pathToFileURL(
    path.join(nm, '@seriousme', 'openapi-schema-validator', 'index.js')).href);
  const v = new Validator();
  const res = await v.validate(JSON.parse(fs.readFileSync(docFile, 'utf8')));
  tap(res.valid && v.version === '3.1', `the document is valid OpenAPI 3.1 (version ${v.version})`,
    JSON.stringify(res.errors, null, 1));
  if (!res.valid) return;
  const doc = v.resolveRefs();
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

  const lines = fs.readFileSync(answersFile, 'utf8').split('\n').filter(Boolean);
  tap(lines.length > 0, `answers recorded (${lines.length})`);
  const seen = new Set();
  for (const line of lines) {
    const a = JSON.parse(line);
    const what = `${a.method} ${a.path} ${a.status}`;
    const op = doc.paths?.[a.path]?.[a.method.toLowerCase()];
    if (!op) {
      tap(false, `${what}: the operation is documented`);
      continue;
    }
    const r = op.responses?.[String(a.status)];
    if (!r) {
      tap(false, `${what}: the status is documented`);
      continue;
    }
    const errs = [];
    const media = r.content?.['application/json'];
    if (media) {
      let body;
      try {
        body = JSON.parse(a.body);
      } catch (e) {
        errs.push(`the body is not JSON: ${String(a.body).slice(0, 200)}`);
      }
      if (!/^application\/json/.test(a.ctype || '')) errs.push(`content type ${a.ctype}`);
      if (body !== undefined) {
        const check = ajv.compile(media.schema);
        if (!check(body)) errs.push(ajv.errorsText(check.errors));
      }
    } else if (!r.content && a.body !== '') {
      errs.push(`a body where the document has none: ${String(a.body).slice(0, 200)}`);
    }
    for (const [name, h] of Object.entries(r.headers || {})) {
      const val = a.headers?.[name.toLowerCase()];
      if (val === undefined || val === '' || !h.schema) continue;
      const check = ajv.compile(h.schema);
      if (!check(val)) errs.push(`header ${name}: ${val}: ${ajv.errorsText(check.errors)}`);
    }
    // What the document promises outright: a task's ETag, Location on 201.
    if (r.headers?.ETag && [200, 201, 204, 304, 412].includes(a.status) && !a.headers?.etag) {
      errs.push('no ETag header');
    }
    if (a.status === 201 && !a.headers?.location) errs.push('no Location header');
    seen.add(`${a.method} ${a.path}`);
    tap(errs.length === 0, `${what}: the answer matches the document`, errs.join('\n'));
  }
  // Every operation of the document was seen at least once.
  const missing = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of ['get', 'post', 'patch', 'delete']) {
      if (item[m] && !seen.has(`${m.toUpperCase()} ${p}`)) missing.push(`${m.toUpperCase()} ${p}`);
    }
  }
  tap(missing.length === 0, 'every operation of the document was exercised', missing.join(', '));
}

main().catch((e) => {
  tap(false, 'the check ran', e && e.stack);
});
