import cors from 'cors';
import { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Cross-origin access to `/graphql` for dashboards served from other origins (`GRIDHUB_CORS_ORIGINS`).
 *
 * Only the listed origins, compared exactly, get `Access-Control-Allow-Origin` — their own origin, never `*` —
 * and never `Access-Control-Allow-Credentials`: callers send a bearer token, the hub sets no cookies, so a page
 * of an unlisted origin cannot read a response even when its user holds a token. A preflight (`OPTIONS
 * /graphql`) from a listed origin allows `GET` and `POST` with `authorization` and `content-type`; one from any
 * other origin is answered 204 with no `Access-Control-*` header at all, which the browser takes as a refusal.
 * With origins listed every response carries `Vary: Origin`, so that a cache never hands one origin's answer to
 * another. With none (the default) responses carry no CORS header.
 * @param origins exact origins (`https://dashboard.example.gov.cn`), as validated by src/config.ts.
 */
export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const listed = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type'],
    // A dashboard that is told to slow down may read when to come back.
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (allowed.size > 0) res.vary('Origin');
    listed(req, res, () => {
      // Not a listed origin (or no Origin at all): a preflight is answered here, with nothing allowed.
      if (req.method === 'OPTIONS') {
        res.status(204).setHeader('Content-Length', '0');
        res.end();
        return;
      }
      next();
    });
  };
}
