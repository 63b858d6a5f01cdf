import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import puppeteer, { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { Role } from '../../src/auth/viewer';
import { TOKEN_STORAGE_KEY } from '../../src/server/explorer/explorer';
import { EXPLORER_EXAMPLES } from '../../src/server/explorer/examples';
import { Hub, startHub } from '../support/harness';

/** Debian's Chromium, which `.ci/run` installs when it is missing. */
const CHROMIUM = '/usr/bin/chromium';

/** What the page did: every request it made (and whether it stayed on the hub), CSP violations, script errors. */
interface Watch {
  requests: { url: string; method: string; authorization?: string }[];
  foreign: string[];
  violations: string[];
  errors: string[];
}

// The browser's globals, for the functions this test runs in the page (the project compiles without the DOM's types).
declare const window: any;
declare const document: any;

/**
 * The explorer in a real headless Chromium: it loads with no request leaving the machine (every request is
 * intercepted and any not for the hub's origin is recorded and aborted; a dead proxy stands behind for anything
 * that is not loopback), with no Content-Security-Policy violation; a token pasted into it runs a query whose
 * answer, read from GraphiQL's result pane, is what the database holds.
 */
describe('explorer (Chromium)', () => {
  // A browser on a 2-core machine that runs two suites at once: room beyond jest's 60 s and puppeteer's 30 s.
  jest.setTimeout(150_000);
  let hub: Hub;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let watch: Watch;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium); install it the same way to run this test`);
    }
    hub = await startHub();
    origin = new URL(hub.url).origin;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 90_000,
      // As root (CI), Chromium runs only without its sandbox. Anything but loopback goes to a proxy that is not there.
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--proxy-server=http://127.0.0.1:9', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  beforeEach(async () => {
    const context = await browser.createBrowserContext();
    page = await context.newPage();
    page.setDefaultTimeout(90_000);
    await page.setViewport({ width: 1280, height: 800 });
    watch = { requests: [], foreign: [], violations: [], errors: [] };
    await page.setRequestInterception(true);
    page.on('request', (request: HTTPRequest) => {
      const url = request.url();
      watch.requests.push({ url, method: request.method(), authorization: request.headers().authorization });
      if (url.startsWith('data:')) return void request.continue();
      if (new URL(url).origin !== origin) {
        watch.foreign.push(url);
        return void request.abort('blockedbyclient');
      }
      void request.continue();
    });
    page.on('pageerror', (error) => watch.errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') watch.errors.push(message.text());
    });
    // Runs before any of the page's scripts, outside its CSP.
    await page.evaluateOnNewDocument(() => {
      window.gridhubViolations = [];
      document.addEventListener('securitypolicyviolation', (event: { violatedDirective: string; blockedURI: string }) => {
        window.gridhubViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
  });
  afterEach(async () => {
    await page?.browserContext().close();
  });

  /** Everything the page did stayed on the hub and within its policy. */
  async function expectContained(): Promise<void> {
    watch.violations = await page.evaluate(() => window.gridhubViolations);
    expect(watch.foreign).toEqual([]);
    expect(watch.violations).toEqual([]);
    expect(watch.errors).toEqual([]);
    expect(watch.requests.length).toBeGreaterThan(0);
  }

  const statusText = () => page.$eval('#gridhub-token-status', (element) => element.textContent ?? '');

  /** The text of GraphiQL's editor (a CodeMirror 5 instance) under `selector`. */
  const editorText = (selector: string) =>
    page.$eval(selector, (element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());

  it('opens from a browser on /graphql without a token: the explorer with the saved queries, not a 401', async () => {
    const response = await page.goto(`${origin}/graphql`, { waitUntil: 'networkidle0' });
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${origin}/`);
    await page.waitForSelector('.graphiql-container');
    const tabs = await page.$$eval('.graphiql-tab-button', (elements) => elements.map((element) => element.textContent?.trim()));
    expect(tabs).toEqual(EXPLORER_EXAMPLES.map((example) => example.name));
    expect(await statusText()).toMatch(/paste a token/);
    // Nothing asked the hub for GraphQL without a token (no introspection of its own).
    expect(watch.requests.filter((request) => request.url.startsWith(`${origin}/graphql`) && request.method === 'POST')).toEqual([]);
    // GraphiQL's dialogs add a <style> element: the page's nonce lets it in, and nothing else.
    for (const label of ['Open settings dialog', 'Open short keys dialog']) {
      await page.click(`.graphiql-sidebar button[aria-label="${label}"]`);
      await page.waitForSelector('.graphiql-dialog');
      await page.keyboard.press('Escape');
    }
    await expectContained();

    // A new tab, then the saved queries again, as on a first visit.
    await page.click('.graphiql-tab-add');
    expect(await page.$$eval('.graphiql-tab-button', (elements) => elements.length)).toBe(EXPLORER_EXAMPLES.length + 1);
    await page.click('#gridhub-restore-examples');
    await page.waitForFunction((count: number) => document.querySelectorAll('.graphiql-tab-button').length === count, {}, EXPLORER_EXAMPLES.length);
    expect(await page.$$eval('.graphiql-tab-button', (elements) => elements.map((element) => element.textContent))).toEqual(
      EXPLORER_EXAMPLES.map((example) => example.name),
    );
    await expectContained();

    // The policy is in force (and the watch sees it): injected inline script and style are refused.
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.gridhubInjected = true';
      document.body.appendChild(script);
      const style = document.createElement('style');
      style.textContent = 'body { color: red }';
      document.head.appendChild(style);
      return window.gridhubInjected === true;
    });
    expect(ran).toBe(false);
    await page.waitForFunction(() => window.gridhubViolations.length === 2);
    expect(await page.evaluate(() => window.gridhubViolations)).toEqual(['script-src-elem inline', 'style-src-elem inline']);
  });

  it('runs a query with a pasted token and shows what the database holds, the token only ever in a header', async () => {
    const token = await hub.token({ roles: [Role.COMMAND_CENTER], region: '150302' });
    await page.goto(`${origin}/`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('.graphiql-container');
    await page.type('#gridhub-token', token);
    await page.click('#gridhub-use-token');
    await page.waitForFunction(() => /schema loaded/.test(document.getElementById('gridhub-token-status')?.textContent ?? ''));
    expect(await statusText()).toMatch(/^COMMAND_CENTER · region 150302 · until /);

    await page.click('.graphiql-tab-add');
    const query = 'query RecentCases { incidents(filter: { regionCode: "150302" }, first: 3, orderBy: { field: REPORTED_AT, direction: DESC }) { totalCount edges { node { caseNumber title } } } }';
    await page.$eval(
      '.graphiql-query-editor .CodeMirror',
      (element, text) => (element as unknown as { CodeMirror: { setValue(value: string): void } }).CodeMirror.setValue(text),
      query,
    );
    // GraphiQL takes the operation's name from the editor a moment after a change: run once the tab is named by it.
    await page.waitForFunction(() => document.querySelector('.graphiql-tab-active .graphiql-tab-button')?.textContent === 'RecentCases');
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => {
      const pane = document.querySelector('.graphiql-response .CodeMirror') as unknown as { CodeMirror?: { getValue(): string } } | null;
      return /totalCount/.test(pane?.CodeMirror?.getValue() ?? '');
    });
    const shown = JSON.parse(await editorText('.graphiql-response .CodeMirror'));
    const [{ count }] = await hub.sql<{ count: number }>(`select count(*)::int as count from incident where grid_code like '150302%'`);
    expect(count).toBeGreaterThan(0);
    expect(shown.data.incidents.totalCount).toBe(count);
    const nodes = shown.data.incidents.edges.map((edge: { node: { caseNumber: string; title: string } }) => edge.node);
    expect(nodes).toHaveLength(3);
    const stored = await hub.sql<{ caseNumber: string; title: string }>(
      `select case_number as "caseNumber", title from incident where grid_code like '150302%' order by reported_at desc, id desc limit 3`,
    );
    expect(nodes).toEqual(stored);

    // The query went to the hub with the token in its Authorization header, and the token is in no URL.
    const posts = watch.requests.filter((request) => request.url === `${origin}/graphql` && request.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) expect(post.authorization).toBe(`Bearer ${token}`);
    const schemaRequests = watch.requests.filter((request) => request.url === `${origin}/explorer/schema.graphql`);
    expect(schemaRequests.map((request) => request.authorization)).toEqual([`Bearer ${token}`]);
    for (const request of watch.requests) expect(request.url).not.toContain(token);
    expect(page.url()).toBe(`${origin}/`);
    await expectContained();

    // The token stays in this browser's localStorage: a reload needs no paste, and the schema (from the SDL, as
    // introspection is off) fills the documentation explorer.
    expect(await page.evaluate((key) => window.localStorage.getItem(key), TOKEN_STORAGE_KEY)).toBe(token);
    await page.reload({ waitUntil: 'networkidle0' });
    await page.waitForFunction(() => /schema loaded/.test(document.getElementById('gridhub-token-status')?.textContent ?? ''));
    await page.click('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name');
    await page.evaluate(() => {
      const links = [...document.querySelectorAll('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name')] as { textContent: string; click(): void }[];
      links.find((link) => link.textContent === 'Query')!.click();
    });
    await page.waitForFunction(() => /incidentTimeline/.test(document.querySelector('.graphiql-doc-explorer')?.textContent ?? ''));
    await expectContained();
  });

  it('says when the hub refuses a token, and forgets it on request', async () => {
    await page.goto(`${origin}/`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('.graphiql-container');
    await page.type('#gridhub-token', 'not-a-token');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /refused/.test(document.getElementById('gridhub-token-status')?.textContent ?? ''));
    expect(await statusText()).toMatch(/not a token — refused: .*token/i);
    await page.click('#gridhub-forget-token');
    expect(await page.evaluate((key) => window.localStorage.getItem(key), TOKEN_STORAGE_KEY)).toBeNull();
    expect(await statusText()).toMatch(/paste a token/);
    // The refused schema request answered 401, which the browser logs as a failed resource: that one is expected.
    watch.errors = watch.errors.filter((error) => !/status of 401/.test(error));
    await expectContained();
  });
});
