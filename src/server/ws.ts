import http from 'node:http';
import { MikroORM } from '@mikro-orm/postgresql';
import { execute, ExecutionArgs, GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { Limits } from '../config';
import { RateLimitedError } from '../shared/errors';
import { Admission } from './admission';
import { statsOptions } from '../stats/stats.service';
import { authenticate, buildContext, Context } from './context';
import { IngestOptions } from '../ingest/ingestion.service';
import { WorkflowOptions } from '../incidents/incident-workflow.service';
import { CallOptions } from '../calls/department-call.service';
import { OperationGuard } from './operation-guard';
import { LiveSocket } from '../live/incident-event-stream';
import { LiveFeed } from '../live/live-feed';
import { subscribeSharingResults } from '../live/shared-results';

/** What both transports share, from the server that wires them (src/server/server.ts). */
export interface TransportOptions {
  httpServer: http.Server;
  orm: MikroORM;
  schema: GraphQLSchema;
  /** HS256 key that tokens must be signed with. */
  key: Uint8Array;
  limits: Limits;
  /** What the ingestion service of each operation's context is configured with. */
  ingest: IngestOptions;
  /** What the workflow service of each operation's context is configured with. */
  workflow: WorkflowOptions;
  /** What the call service (乡呼县应) of each operation's context is configured with. */
  calls: CallOptions;
  guard: OperationGuard;
  admission: Admission;
  /** This instance's live incident event feed (subscriptions); null: subscriptions are refused. */
  live: LiveFeed | null;
  formatError: (formatted: GraphQLFormattedError, raw: unknown) => GraphQLFormattedError;
}

/**
 * GraphQL over WebSocket (`graphql-transport-ws`, graphql-ws's protocol core) on the HTTP server's `/graphql`
 * path, under the same rules as HTTP: frames are limited to `maxRequestBytes` (a larger one closes the socket
 * with 1009), the token is checked on connect (refused: 4403) and again for every operation, each operation counts
 * against its subject's rate and passes the {@link OperationGuard}, at most `maxOperationsPerSocket` run at once
 * on one socket, and execution waits for the same slots as HTTP requests.
 * @returns what stops the transport (closes every socket).
 */
export function mountWebSocketTransport(options: TransportOptions): { dispose(): void | Promise<void> } {
  const { orm, schema, key, limits, guard, admission, formatError } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: limits.maxRequestBytes });
  // A frame the client got wrong (too large, malformed) is the client's fault: \`ws\` has already closed the socket
  // with the right code (1009, 1002). Without this, graphql-ws would log each one as an internal error with its
  // stack trace, so anyone could fill the log. Registered before graphql-ws's own listener, so it runs first.
  wsServer.on('connection', (socket) => {
    const emit = socket.emit.bind(socket) as (event: string, ...args: unknown[]) => boolean;
    socket.emit = ((event: string, ...args: unknown[]) => {
      const code = (args[0] as { code?: unknown } | undefined)?.code;
      if (event === 'error' && typeof code === 'string' && code.startsWith('WS_ERR_')) return true;
      return emit(event, ...args);
    }) as typeof socket.emit;
  });
  /** Operations each socket has started and that have not completed yet. */
  const started = new WeakMap<object, number>();
  const finished = (ctx: object): void => void started.set(ctx, Math.max(0, (started.get(ctx) ?? 1) - 1));
  /** Each socket as the live stream sees it: the events waiting on it (bounded), and how to close it. */
  const liveSockets = new WeakMap<object, LiveSocket>();
  const liveSocket = (ctx: { extra: { socket: WebSocket } }): LiveSocket => {
    let socket = liveSockets.get(ctx);
    if (!socket) {
      socket = { queued: 0, close: (code, reason) => ctx.extra.socket.close(code, reason) };
      liveSockets.set(ctx, socket);
    }
    return socket;
  };
  return useServer<Record<string, unknown>>(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          await authenticate(key, ctx.connectionParams?.authorization);
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws registers the operation before this hook and forgets it once it has completed — or once the
        // client says "complete", while it may still run: so the socket's started operations are counted too,
        // from this moment (several subscribes are checked at once while each awaits its token).
        const inFlight = Math.max(Object.keys(ctx.subscriptions).length - 1, started.get(ctx) ?? 0);
        if (inFlight >= limits.maxOperationsPerSocket) {
          return [new RateLimitedError(`more than ${limits.maxOperationsPerSocket} operations in flight on this socket`, 1)];
        }
        started.set(ctx, (started.get(ctx) ?? 0) + 1);
        const refuse = (errors: readonly GraphQLError[]) => {
          finished(ctx);
          return errors;
        };
        try {
          // A token can expire while the socket stays open: an operation with an expired one answers
          // UNAUTHENTICATED, and the socket stays up for the client to reconnect with a fresh token.
          const viewer = await authenticate(key, ctx.connectionParams?.authorization);
          await admission.countRequest(viewer);
          const checked = guard.check(payload);
          if (!checked.document) return refuse(checked.errors);
          // Handed on, the operation runs and completes (the guard refused one it could not identify): its count
          // is given back in onComplete.
          const args: ExecutionArgs = {
            schema,
            document: checked.document,
            variableValues: payload.variables,
            operationName: payload.operationName,
            contextValue: buildContext(
              orm,
              viewer,
              options.ingest,
              options.workflow,
              options.calls,
              statsOptions(limits),
              options.live ? { feed: options.live, socket: liveSocket(ctx) } : null,
            ),
          };
          return args;
        } catch (error) {
          if (error instanceof GraphQLError) return refuse([error]);
          finished(ctx);
          throw error;
        }
      },
      // Subscribers of one event with the same flat selection and masking share its execution (src/live/).
      subscribe: subscribeSharingResults,
      execute: async (args) => {
        let release;
        try {
          release = await admission.enter((args.contextValue as Context).viewer.subject);
        } catch (error) {
          return { errors: [error as GraphQLError] };
        }
        try {
          return await execute(args);
        } finally {
          release();
        }
      },
      onComplete: (ctx) => finished(ctx),
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
}
