import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { MikroORM } from '@mikro-orm/postgresql';
import express, { NextFunction, Request, Response } from 'express';
import { GraphQLError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { buildContext, Context } from './context';
import { TokenError, verifyAuthorization } from '../auth/tokens';
import { DEFAULT_LIMITS, Limits } from '../config';
import { createFormatError, ErrorCode, UnauthenticatedError } from '../shared/errors';

export interface ServerOptions {
  orm: MikroORM;
  schema: GraphQLSchema;
  /** HS256 key that tokens must be signed with. */
  key: Uint8Array;
  port: number;
  /** Host to bind; default all interfaces. */
  host?: string;
  development?: boolean;
  /** Introspection and "Did you mean" hints (default off). */
  introspection?: boolean;
  /** Limits of design §6; unset ones take {@link DEFAULT_LIMITS}. */
  limits?: Partial<Limits>;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting connections, drains requests and closes sockets. */
  close(): Promise<void>;
}

/**
 * Serves GraphQL over HTTP (`POST`/`GET /graphql`) and over WebSocket (graphql-transport-ws on the same path and
 * port), plus `/healthz` and `/readyz`. Both transports authenticate through {@link buildContext}.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { orm, schema, key } = options;
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? ((line: string) => console.error(line));
  const formatError = createFormatError(options.development ?? false, (error) =>
    log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  );

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      schema,
      // Refuse the connection (4403 Forbidden) unless connectionParams.authorization holds a valid token.
      onConnect: async (ctx) => {
        try {
          await buildContext(orm, key, ctx.connectionParams?.authorization);
          return true;
        } catch {
          return false;
        }
      },
      // A token can expire while the socket stays open: each operation checks it again and, if it no longer
      // holds, fails with UNAUTHENTICATED (the socket stays up for a client to reconnect with a fresh token).
      onSubscribe: async (ctx) => {
        try {
          await verifyAuthorization(key, ctx.connectionParams?.authorization);
          return undefined;
        } catch (error) {
          const message = error instanceof TokenError ? error.message : 'authentication failed';
          return [new UnauthenticatedError(message)];
        }
      },
      // A fresh entity manager and loaders for every operation on the socket.
      context: (ctx) => buildContext(orm, key, ctx.connectionParams?.authorization),
      // Errors leave through the same formatter as over HTTP: contract codes, no internals.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : result,
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => {
          const formatted = formatError(error.toJSON(), error);
          return new GraphQLError(formatted.message, { extensions: formatted.extensions });
        }),
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: options.development ?? false,
    introspection: true,
    // gridhub stops the server itself, in order, on SIGINT/SIGTERM (src/main.ts). Apollo's own handlers (on
    // unless NODE_ENV=test) would stop it a second time and re-raise the signal, and the stop never completes.
    stopOnTerminationSignals: false,
    // Every request must carry a bearer token, which browsers never attach on their own, so the cross-site
    // request forgery that csrfPrevention guards against (ambient cookies) cannot happen; keeping it on would
    // refuse plain GET queries that the GraphQL-over-HTTP spec allows.
    csrfPrevention: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The default landing page loads from a CDN; government networks are often offline.
      ApolloServerPluginLandingPageDisabled(),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.use(
    '/graphql',
    express.json({ limit: limits.maxRequestBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }) => buildContext(orm, key, req.headers.authorization),
    }),
  );
  // Body parser failures (too large, malformed JSON) answered in GraphQL's error shape.
  app.use((error: { status?: number; type?: string; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const message =
      error.type === 'entity.too.large'
        ? `request body is larger than ${limits.maxRequestBytes} bytes`
        : status === 500
          ? 'internal server error'
          : (error.message ?? 'bad request');
    const code = status === 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.BAD_USER_INPUT;
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    close: async () => {
      await apollo.stop();
    },
  };
}
