import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { EXPLORER_EXAMPLES } from './examples';
import { uncached } from '../uncached';

/** The page's own script and styles, beside this file in the source tree (the hub runs from dist/src/server/explorer/). */
const PAGE_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'src', 'server', 'explorer', 'page');

/**
 * What the explorer page may load and do: scripts, styles and requests to the hub only, no inline script, fonts and
 * images also as `data:` (GraphiQL's stylesheet embeds its fonts), no frames, no forms, no `<base>`. The one inline
 * style allowed is the one carrying this response's nonce: GraphiQL's dialogs add a `<style>` element (to lock the
 * page's scroll) and give it the nonce they find in `window.__webpack_nonce__`, which the page's script sets.
 */
export function explorerCsp(styleNonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${styleNonce}'`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The files the page loads, each read once at start-up from an exact path: the installed packages' prebuilt
 * browser builds (GraphiQL's UMD build runs on React's UMD builds, no bundler) and the page's own script and
 * styles. A request names one of these or gets 404: no path from a request ever reaches the file system.
 */
const ASSET_SOURCES: Record<string, () => string> = {
  'react.production.min.js': () => packageFile('react', 'umd/react.production.min.js'),
  'react-dom.production.min.js': () => packageFile('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.min.js': () => packageFile('graphiql', 'graphiql.min.js'),
  'graphiql.min.css': () => packageFile('graphiql', 'graphiql.min.css'),
  'explorer.js': () => path.join(PAGE_DIR, 'explorer.js'),
  'explorer.css': () => path.join(PAGE_DIR, 'explorer.css'),
};

/** The localStorage key under which the page keeps the token (handed to its script with the page's settings). */
export const TOKEN_STORAGE_KEY = 'gridhub.explorer.token';

interface Asset {
  type: string;
  body: Buffer;
  gzipped: Buffer;
  /** Strong entity tags of the two bodies, made once (the app makes none: see src/server/server.ts). */
  etag: string;
  gzippedEtag: string;
}

export interface ExplorerOptions {
  app: Express;
  schema: GraphQLSchema;
  /** What a request for the schema goes through first: authentication, rate and room, as for `/graphql`. */
  admit: RequestHandler;
}

/**
 * The analysts' explorer: `GET /` serves a GraphiQL page that works with no network beyond the hub (its scripts and
 * styles come from the installed npm packages, see {@link ASSET_SOURCES}), under a strict Content-Security-Policy
 * ({@link explorerCsp}). The analyst pastes a token, kept in the browser's localStorage and sent as
 * `Authorization: Bearer` by the page's fetcher, never in a URL. The schema comes from
 * `GET /explorer/schema.graphql` — the SDL, to any valid token of any role — so that the documentation and
 * completion work where introspection is off (the default outside development) without opening introspection to
 * everyone. The README's examples ({@link EXPLORER_EXAMPLES}) open as tabs on a first visit.
 * @throws Error at start-up when a file of the page cannot be read (a package missing from node_modules).
 */
export function mountExplorer(options: ExplorerOptions): void {
  const { app } = options;
  const assets = new Map<string, Asset>();
  for (const [name, source] of Object.entries(ASSET_SOURCES)) {
    const file = source();
    const body = fs.readFileSync(file);
    const gzipped = gzipSync(body);
    const type = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    assets.set(name, { type, body, gzipped, etag: entityTag(body), gzippedEtag: entityTag(gzipped) });
  }
  const page = explorerPage(assets);
  // As `npm run schema` prints it to schema/schema.graphql.
  const sdl = printSchema(lexicographicSortSchema(options.schema)) + '\n';

  app.get('/', uncached, (_req, res) => {
    const styleNonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Security-Policy', explorerCsp(styleNonce));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // A new nonce each time: never from a cache (uncached).
    res.type('html').send(page(styleNonce));
  });
  app.get('/explorer/schema.graphql', uncached, options.admit, (_req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('text/plain; charset=utf-8').send(sdl);
  });
  app.get('/explorer/:name', (req, res) => {
    const asset = assets.get(req.params.name);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!asset) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    // Revalidated on each load (ETag): a new version of the hub never runs with an old script.
    res.setHeader('Cache-Control', 'no-cache');
    res.vary('Accept-Encoding');
    res.type(asset.type);
    // send() answers 304 when the request's If-None-Match holds the tag set here.
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('ETag', asset.gzippedEtag);
      res.send(asset.gzipped);
    } else {
      res.setHeader('ETag', asset.etag);
      res.send(asset.body);
    }
  });
}

/** A strong entity tag: the body's SHA-1. */
function entityTag(body: Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/**
 * A browser that navigates to `/graphql` (it sends no token and prefers HTML) is sent to the explorer; API clients —
 * anything with an `Authorization` header, or that does not put HTML first — go on to GraphQL as before.
 */
export const redirectBrowsers: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  if (req.headers.authorization === undefined && req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html') {
    res.redirect(303, '/');
    return;
  }
  next();
};

/** An exact file of an installed package, found the way Node finds the package. */
function packageFile(name: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${name}/package.json`)), file);
}

/**
 * The page, for a style nonce: no inline script or style; its settings travel in a JSON data block, which is not run.
 */
function explorerPage(assets: Map<string, Asset>): (styleNonce: string) => string {
  const src = (name: string) => {
    if (!assets.has(name)) throw new Error(`the explorer page names an asset it does not serve: ${name}`);
    return `/explorer/${name}`;
  };
  const settings = (styleNonce: string) => {
    const json = JSON.stringify({
      tokenStorageKey: TOKEN_STORAGE_KEY,
      styleNonce,
      examples: EXPLORER_EXAMPLES.map(({ query, variables }) => ({ query, variables: variables ?? null })),
    });
    // `<` escaped, so that no text in the examples can close the data block.
    return json.replace(/</g, '\\u003c');
  };
  return (styleNonce) => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>gridhub explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${src('graphiql.min.css')}">
<link rel="stylesheet" href="${src('explorer.css')}">
</head>
<body>
<header class="gridhub-bar">
  <strong class="gridhub-name">gridhub</strong>
  <label for="gridhub-token">Token</label>
  <input id="gridhub-token" type="password" autocomplete="off" spellcheck="false" placeholder="npm run token -- --role ANALYST --region 150302">
  <button type="button" id="gridhub-use-token">Use</button>
  <button type="button" id="gridhub-forget-token">Forget</button>
  <span id="gridhub-token-status" role="status"></span>
  <button type="button" id="gridhub-restore-examples" title="Close all tabs and open the saved queries again">Restore examples</button>
</header>
<main id="gridhub-graphiql"><noscript>The explorer needs JavaScript.</noscript></main>
<script type="application/json" id="gridhub-explorer-settings">${settings(styleNonce)}</script>
<script src="${src('react.production.min.js')}"></script>
<script src="${src('react-dom.production.min.js')}"></script>
<script src="${src('graphiql.min.js')}"></script>
<script src="${src('explorer.js')}"></script>
</body>
</html>
`;
}
