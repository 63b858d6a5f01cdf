import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/auth/viewer';
import { buildGridhubSchema, printGridhubSchema, SCHEMA_FILE } from '../../src/schema';
import { explorerCsp } from '../../src/server/explorer/explorer';
import { EXPLORER_EXAMPLES } from '../../src/server/explorer/examples';
import { Hub, ok, startHub } from '../support/harness';

/** What Chromium sends when a person opens a URL. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

/** A GET with the path sent exactly as written (fetch would normalise `..` and percent-escapes). */
function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: rawPath }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

/** The explorer over plain HTTP: the page, its files, the schema it loads, where browsers are sent; the saved queries run. */
describe('explorer (HTTP)', () => {
  let hub: Hub;
  let origin: string;
  let port: number;
  beforeAll(async () => {
    hub = await startHub();
    origin = new URL(hub.url).origin;
    port = Number(new URL(hub.url).port);
  });
  afterAll(() => hub?.close());

  it('serves the page at / under a strict Content-Security-Policy, with no inline script and only its own files', async () => {
    const response = await fetch(`${origin}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy')!;
    const nonce = /'nonce-([A-Za-z0-9+/=]{24})'/.exec(csp)?.[1];
    expect(csp).toBe(explorerCsp(nonce!));
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}';`);
    expect(csp).not.toMatch(/unsafe|\*|https?:/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    // The page's script hands the nonce to GraphiQL's dialogs; each page gets its own.
    expect(JSON.parse(/id="gridhub-explorer-settings">([^<]*)</.exec(html)![1]).styleNonce).toBe(nonce);
    const again = await fetch(`${origin}/`);
    expect(again.headers.get('content-security-policy')).not.toContain(nonce);
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1]);
    for (const attributes of scripts) expect(attributes).toMatch(/\bsrc="\/explorer\/|type="application\/json"/);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    const files = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]).filter((url) => url !== 'data:,');
    expect(files).toEqual([
      '/explorer/graphiql.min.css',
      '/explorer/explorer.css',
      '/explorer/react.production.min.js',
      '/explorer/react-dom.production.min.js',
      '/explorer/graphiql.min.js',
      '/explorer/explorer.js',
    ]);
    for (const file of files) {
      const asset = await fetch(`${origin}${file}`);
      expect({ file, status: asset.status }).toEqual({ file, status: 200 });
      expect(asset.headers.get('content-type')).toMatch(file.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
  });

  it('serves the installed packages\' files as they are, gzipped when asked, revalidated by ETag', async () => {
    const installed = fs.readFileSync(path.join(path.dirname(require.resolve('graphiql/package.json')), 'graphiql.min.js'));
    const gzipped = await new Promise<{ encoding?: string; body: Buffer; etag?: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/explorer/graphiql.min.js', headers: { 'accept-encoding': 'gzip' } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks), etag: response.headers.etag }));
        })
        .on('error', reject);
    });
    expect(gzipped.encoding).toBe('gzip');
    expect(gzipped.body.length).toBeLessThan(installed.length / 2);
    expect(gunzipSync(gzipped.body).equals(installed)).toBe(true);
    const plain = await rawGet(port, '/explorer/graphiql.min.js');
    expect(Buffer.from(plain.body).equals(installed)).toBe(true);
    const again = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/explorer/graphiql.min.js', headers: { 'accept-encoding': 'gzip', 'if-none-match': gzipped.etag } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(gzipped.etag).toBeDefined();
    expect(again).toBe(304);
  });

  it('serves no other file: no path from a request reaches the file system', async () => {
    const probes = [
      '/explorer/../package.json',
      '/explorer/%2e%2e/package.json',
      '/explorer/..%2fpackage.json',
      '/explorer/%2e%2e%2f%2e%2e%2fpackage.json',
      '/explorer/..%2f..%2f..%2f..%2fpackage.json',
      '/explorer/react%2fpackage.json',
      '/explorer/react/umd/react.development.js',
      '/explorer/react.development.js',
      '/explorer/graphiql.min.js.map',
      '/explorer/explorer.ts',
      '/explorer/examples.js',
      '/explorer/package.json',
      '/explorer/%2fetc%2fpasswd',
      '/explorer/graphiql.min.js%00.json',
      '/node_modules/react/package.json',
      '/package.json',
      '/src/server/explorer/page/explorer.js',
      '/explorer/',
    ];
    for (const probe of probes) {
      const { status, body } = await rawGet(port, probe);
      expect({ probe, status }).toEqual({ probe, status: expect.any(Number) });
      expect({ probe, found: status >= 200 && status < 300 }).toEqual({ probe, found: false });
      expect(body).not.toMatch(/"name":|root:x:|"use strict"/);
    }
  });

  it('gives the schema (SDL) to any valid token only', async () => {
    const anonymous = await fetch(`${origin}/explorer/schema.graphql`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const forged = await fetch(`${origin}/explorer/schema.graphql`, { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' } });
    expect(forged.status).toBe(401);
    const token = await hub.token({ roles: [Role.ANALYST], region: '150302' });
    const response = await fetch(`${origin}/explorer/schema.graphql`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const sdl = await response.text();
    expect(sdl).toBe(printGridhubSchema(await buildGridhubSchema()));
    expect(sdl).toBe(fs.readFileSync(SCHEMA_FILE, 'utf8'));
  });

  it('sends a browser that opens /graphql to the explorer, and API clients on to GraphQL as before', async () => {
    for (const target of ['/graphql', `/graphql?query=${encodeURIComponent('{ __typename }')}`]) {
      const browser = await fetch(`${origin}${target}`, { headers: { accept: BROWSER_ACCEPT }, redirect: 'manual' });
      expect(browser.status).toBe(303);
      expect(browser.headers.get('location')).toBe('/');
    }
    const query = `${hub.url}?query=${encodeURIComponent('{ region(code: "150302") { name } }')}`;
    for (const accept of [undefined, '*/*', 'application/json', 'application/graphql-response+json']) {
      const client = await fetch(query, { headers: accept ? { accept } : {}, redirect: 'manual' });
      expect({ accept, status: client.status }).toEqual({ accept, status: 401 });
      expect(((await client.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    // A request with a token is an API client's, whatever it accepts.
    const token = await hub.token({ roles: [Role.ANALYST], region: '150302' });
    const withToken = await fetch(query, { headers: { accept: BROWSER_ACCEPT, authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(withToken.status).toBe(200);
    expect(((await withToken.json()) as any).data.region.name).toBe('海勃湾区');
    const post = await fetch(hub.url, { method: 'POST', headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}', redirect: 'manual' });
    expect(post.status).toBe(401);
  });

  it('answers every saved query without an error (within the limits, for an ADMIN token)', async () => {
    const token = await hub.token({ roles: [Role.ADMIN] });
    for (const example of EXPLORER_EXAMPLES) {
      const response = await hub.gql(token, example.query, example.variables ? JSON.parse(example.variables) : undefined);
      expect({ name: example.name, errors: response.errors }).toEqual({ name: example.name, errors: undefined });
      expect(Object.keys(ok(response)).length).toBeGreaterThan(0);
    }
  });
});
