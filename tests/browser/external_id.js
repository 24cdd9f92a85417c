#!/usr/bin/env node
// tests/browser/external_id.js -- headless Chromium through the web app with
// the development provider as an Entra External ID look-alike (issue 16):
// sign-in across sites (the web app redeems the code with a client
// assertion, not a secret), no edit-profile or reset link, a task added and
// shown, the provider's in-flow password reset, sign-out.  Prints TAP,
// exits non-zero on any failure.  Plain CommonJS: Node 18 and later.
//
// Environment: APP_URL, IDP_URL (required), CHROMIUM (/usr/bin/chromium),
// TLS_SPKI (the stack's test CA, with STACK_TLS), NODE_MODULES_DIR,
// E2E_SCREENSHOTS (where a failing step's screenshot goes).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

let n = 0;
let failed = 0;
const diag = (s) => String(s).split('\n').forEach((l) => process.stdout.write(`# ${l}\n`));
const APP = new URL(process.env.APP_URL).origin;
const IDP = new URL(process.env.IDP_URL).origin;
const SHOTS = process.env.E2E_SCREENSHOTS || path.join(__dirname, 'screenshots');
const onApp = (u) => new URL(u).origin === APP;
const onIdp = (u) => new URL(u).origin === IDP;
let page = null;
let broken = false;

// step(desc, fn): fn throws on failure; after a failure the rest are not run.
async function step(desc, fn) {
  n++;
  if (broken) {
    failed++;
    process.stdout.write(`not ok ${n} - ${desc} # not run: earlier step failed\n`);
    return;
  }
  try {
    await fn();
    process.stdout.write(`ok ${n} - ${desc}\n`);
  } catch (e) {
    failed++;
    broken = true;
    process.stdout.write(`not ok ${n} - ${desc}\n`);
    diag(e && e.message ? e.message : e);
    if (page) {
      diag(`browser was at: ${page.url()}`);
      try {
        fs.mkdirSync(SHOTS, { recursive: true });
        const f = path.join(SHOTS, 'external-id-FAILED.png');
        await page.screenshot({ path: f, fullPage: true, timeout: 10000 });
        diag(`screenshot: ${f}`);
      } catch (_) { /* the page may be gone */ }
    }
  }
}
function expect(cond, why) { if (!cond) throw new Error(why); }
async function toApp(action) {
  await Promise.all([page.waitForURL((u) => onApp(u.href), { timeout: 20000 }), action()]);
  await page.waitForLoadState('load');
}
async function toIdp(action) {
  await Promise.all([page.waitForURL((u) => onIdp(u.href), { timeout: 20000 }), action()]);
  await page.waitForLoadState('load');
}

async function main() {
  const nm = process.env.NODE_MODULES_DIR;
  const { chromium } = require(nm ? require.resolve('playwright-core', { paths: [nm] }) : 'playwright-core');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todo-extid-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(process.env.TLS_SPKI ? [`--ignore-certificate-errors-spki-list=${process.env.TLS_SPKI}`] : [])],
  });
  ctx.setDefaultTimeout(15000);
  // Only the app and the provider: nothing else is ever requested.
  const elsewhere = [];
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin === APP || u.origin === IDP) return route.continue();
    elsewhere.push(u.href);
    return route.abort('blockedbyclient');
  });
  page = ctx.pages()[0] || await ctx.newPage();
  const task = `External ID task ${Date.now()}`;
  try {
    await step('"Sign in" leads to the External ID look-alike, another site', async () => {
      await page.goto(`${APP}/`);
      await toIdp(() => page.locator('header').getByRole('link', { name: 'Sign in', exact: true }).click());
      expect(new URL(page.url()).pathname.startsWith('/dev.onmicrosoft.com/interaction/'),
        `not the one user flow's page (no policy in the path): ${page.url()}`);
    });
    await step('alice signs in; the web app authenticates with its certificate', async () => {
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('alice-password');
      await toApp(() => page.getByRole('button', { name: 'Sign in' }).click());
      expect(await page.getByRole('button', { name: 'Sign out' }).count() === 1,
        `not signed in: ${await page.locator('main').first().innerText().catch(() => '?')}`);
    });
    await step('no "Edit profile" and no password-reset link', async () => {
      await page.goto(`${APP}/tasks`);
      expect(await page.locator('a[href="/profile"]').count() === 0, 'an edit-profile link is shown');
      expect(await page.locator('a[href="/password"]').count() === 0, 'a reset link is shown');
    });
    await step('alice adds a task and sees it', async () => {
      await page.getByLabel('New task').fill(task);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Add', exact: true }).click()]);
      expect(await page.locator('ul.tasks li .text', { hasText: task }).count() === 1, 'the task is not listed');
    });
    await step('"Sign out" returns to the app, signed out', async () => {
      await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((u) => onApp(u.href), { timeout: 20000 });
      await page.waitForLoadState('load');
      expect(await page.getByRole('button', { name: 'Sign out' }).count() === 0, 'still signed in');
    });
    await step('"Forgot your password?" resets it inside the sign-in flow and signs bob in', async () => {
      await page.goto(`${APP}/`);
      await toIdp(() => page.locator('header').getByRole('link', { name: 'Sign in', exact: true }).click());
      if (await page.locator('#localAccountForm').count() === 0) throw new Error('no login page');
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.waitForLoadState('load');
      expect(onIdp(page.url()) && new URL(page.url()).pathname.startsWith('/dev.onmicrosoft.com/interaction/'),
        `the reset page is not in the same flow: ${page.url()}`);
      await page.getByLabel('Username').fill('bob');
      await page.getByLabel('New password').fill('bob-password');
      await toApp(() => page.getByRole('button', { name: 'Continue' }).click());
      expect(await page.getByRole('button', { name: 'Sign out' }).count() === 1, 'bob is not signed in');
      expect(await page.locator('ul.tasks li .text', { hasText: task }).count() === 0, 'bob sees alice\'s task');
    });
    await step('the browser requested nothing but the app and the provider', async () => {
      expect(elsewhere.length === 0, elsewhere.join('\n'));
    });
  } finally {
    await ctx.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { n++; failed++; process.stdout.write(`not ok ${n} - the browser runs\n`); diag(e.stack || e); })
  .finally(() => {
    process.stdout.write(`1..${n}\n`);
    process.exit(failed ? 1 : 0);
  });
