import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { DocumentNode, GraphQLError, parse } from 'graphql';
import { ErrorCode, GridhubError } from '../shared/errors';
import { Admission, Release } from './admission';
import { mountExplorer, redirectBrowsers } from './explorer/explorer';
import { statsOptions } from '../stats/stats.service';
import { authenticate, buildContext, Context } from './context';
import { Role, Viewer } from '../auth/viewer';
import { OperationGuard } from './operation-guard';
import { TransportOptions } from './ws';
import { uncached } from './uncached';

/** What the HTTP transport needs from the server that wires it. */
export interface HttpTransportOptions extends TransportOptions {
  app: Express;
  development: boolean;
  introspection: boolean;
  /** Cross-origin access to `/graphql`, ahead of everything else there (src/server/cors.ts). */
  cors: RequestHandler;
  /** Called while Apollo drains, before the HTTP server closes (the WebSocket transport's dispose). */
  onDrain: () => Promise<void> | void;
}

/**
 * GraphQL over HTTP (`POST`/`GET /graphql`, GraphQL-over-HTTP spec) through Apollo Server, plus `/healthz`,
 * `/readyz` and the explorer (`/`, src/server/explorer/). Each GraphQL request is authenticated, counted against its
 * subject's rate and refused at once when the line for execution slots is full — all before its body is read; its document passes the
 * {@link OperationGuard} before Apollo sees it; it waits for an execution slot after validation. `/healthz` is answered before any of that, so it never waits behind GraphQL work.
 * @returns Apollo, started; `stop()` drains it.
 */
export async function mountHttpTransport(options: HttpTransportOptions): Promise<ApolloServer<Context>> {
  const { app, httpServer, orm, key, limits, guard, admission } = options;

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

  const apollo = new ApolloServer<Context>({
    schema: options.schema,
    formatError: options.formatError,
    includeStacktraceInErrorResponses: options.development,
    introspection: options.introspection,
    // The guard parses and validates; a document it hands over skips Apollo's own parse and validation, which a
    // document store would otherwise cache past the guard's per-request checks (cost depends on variables).
    documentStore: null,
    parseOptions: { maxTokens: limits.maxTokens },
    // Only documents that passed the guard run; a hash alone would skip it.
    persistedQueries: false,
    // gridhub stops the server itself, in order, on SIGINT/SIGTERM (src/main.ts). Apollo's own handlers (on
    // unless NODE_ENV=test) would stop it a second time and re-raise the signal, and the stop never completes.
    stopOnTerminationSignals: false,
    // Every request must carry a bearer token, which browsers never attach on their own, so the cross-site
    // request forgery that csrfPrevention guards against (ambient cookies) cannot happen; keeping it on would
    // refuse plain GET queries that the GraphQL-over-HTTP spec allows.
    csrfPrevention: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The default landing page loads from a CDN; government networks are often offline. The hub serves its own
      // explorer at / (src/server/explorer/).
      ApolloServerPluginLandingPageDisabled(),
      // gridhub sets no cache hints; the plugin would otherwise run a hook on every field of every response.
      ApolloServerPluginCacheControlDisabled(),
      { serverWillStart: async () => ({ drainServer: async () => void (await options.onDrain()) }) },
      guardPlugin(guard, admission),
    ],
  });
  await apollo.start();

  // Who asks, and whether there is room, before the body is even read: a flood of refused requests costs little.
  const admit = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const viewer = await authenticate(key, req.headers.authorization);
      await admission.countRequest(viewer);
      admission.checkRoom(viewer.subject);
      res.locals.viewer = viewer;
      next();
    } catch (error) {
      if (!(error instanceof GraphQLError)) return next(error);
      const formatted = options.formatError(error.toJSON(), error);
      const http = error.extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
      for (const [name, value] of http?.headers ?? []) res.setHeader(name, value);
      res.status(http?.status ?? 400).json({ errors: [formatted] });
    }
  };
  // The analysts' explorer at /, and a browser that opens /graphql sent there (API clients go on below).
  mountExplorer({ app, schema: options.schema, admit });
  app.get('/graphql', redirectBrowsers);

  // Department systems and ADMIN push batches of records; everyone else keeps the small limit.
  const smallBody = express.json({ limit: limits.maxRequestBytes });
  const batchBody = express.json({ limit: limits.maxIngestRequestBytes });
  const body = (req: Request, res: Response, next: NextFunction) =>
    (mayIngest(res.locals.viewer as Viewer) ? batchBody : smallBody)(req, res, next);
  app.use(
    '/graphql',
    uncached,
    // Before the token check: a dashboard of a listed origin may read a refusal too, and preflights carry no token.
    options.cors,
    admit,
    body,
    expressMiddleware(apollo, {
      context: async ({ res }) => buildContext(orm, res.locals.viewer as Viewer, options.ingest, options.workflow, options.calls, statsOptions(limits)),
    }),
  );
  // Body parser failures (too large, malformed JSON) answered in GraphQL's error shape.
  app.use((error: { status?: number; type?: string; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const viewer = res.locals.viewer as Viewer | undefined;
    const message =
      error.type === 'entity.too.large'
        ? `the request body is larger than ${viewer && mayIngest(viewer) ? limits.maxIngestRequestBytes : limits.maxRequestBytes} bytes`
        : status === 500
          ? 'internal server error'
          : (error.message ?? 'bad request').slice(0, 200);
    const code = status === 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.BAD_USER_INPUT;
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  });
  return apollo;
}

/** Callers that may push batches of records, and so send large bodies. */
function mayIngest(viewer: Viewer | undefined): boolean {
  return viewer !== undefined && (viewer.has(Role.DEPARTMENT) || viewer.has(Role.ADMIN));
}

/** What Apollo is given in place of a refused document, so that the refusal can leave as a proper response. */
const REFUSED = parse('{ __typename }');

/**
 * Runs the guard on each request's document as soon as Apollo has its source, and admits the operation to
 * execution once it is known to be valid. A document that passes the guard is handed to Apollo parsed and
 * validated; one with syntax or validation errors is left to Apollo, which reports every error its own way.
 *
 * Apollo turns an error thrown from `didResolveSource` into a bare 500, but answers one thrown from
 * `didResolveOperation` with its code and HTTP status: so a refusal stands in a trivial document until then.
 */
function guardPlugin(guard: OperationGuard, admission: Admission): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let refusal: GraphQLError | null = null;
      let release: Release | null = null;
      let ended = false;
      return {
        async didResolveSource(requestContext) {
          const { request } = requestContext;
          const target = requestContext as { document?: DocumentNode };
          try {
            const checked = guard.check({ query: requestContext.source, variables: request.variables, operationName: request.operationName });
            if (checked.document) target.document = checked.document;
          } catch (error) {
            if (!(error instanceof GraphQLError)) throw error;
            refusal = error;
            target.document = REFUSED;
          }
        },
        async didResolveOperation(requestContext) {
          if (refusal) throw refusal;
          if (requestContext.operation?.operation === 'subscription') {
            throw new GridhubError('subscriptions are served over WebSocket (graphql-transport-ws) on this path', ErrorCode.BAD_USER_INPUT, {}, [], 400);
          }
          const slot = await admission.enter(requestContext.contextValue.viewer.subject);
          // Another plugin's hook may have failed meanwhile and the response gone out: give the slot straight back.
          if (ended) slot();
          else release = slot;
        },
        async willSendResponse() {
          ended = true;
          release?.();
        },
      };
    },
  };
}
