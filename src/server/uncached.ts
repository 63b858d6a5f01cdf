import { NextFunction, Request, Response } from 'express';

/**
 * For answers made afresh for one caller — GraphQL answers, the explorer's page and schema: no cache may keep them
 * (they carry personal data, or a nonce), and no request condition turns them into an empty 304. Express answers 304
 * to `If-None-Match: *` on any GET whether or not the answer has a tag; here the request is never "fresh".
 */
export function uncached(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  Object.defineProperty(req, 'fresh', { value: false });
  next();
}
