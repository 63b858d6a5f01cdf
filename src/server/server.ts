import http from 'node:http';
import { AddressInfo } from 'node:net';
import { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { GraphQLSchema } from 'graphql';
import { DEFAULT_LIMITS, DEFAULT_LIVE_SETTINGS, Limits, LiveSettings } from '../config';
import { incidentEventBell } from '../live/bell';
import { LiveFeed } from '../live/live-feed';
import { DEFAULT_PRIORITIES, Priorities } from '../ingest/priorities';
import { defaultWorkflowOptions, WorkflowOptions } from '../incidents/incident-workflow.service';
import { callOptions } from '../calls/department-call.service';
import { maskText } from '../access/masking';
import { createFormatError } from '../shared/errors';
import { Admission } from './admission';
import { corsMiddleware } from './cors';
import { mountHttpTransport } from './http';
import { OperationGuard } from './operation-guard';
import { mountWebSocketTransport } from './ws';

export interface ServerOptions {
  orm: MikroORM;
  schema: GraphQLSchema;
  /** HS256 key that tokens must be signed with. */
  key: Uint8Array;
  port: number;
  /** Host to bind; default all interfaces. */
  host?: string;
  /** Stack traces and internal messages in error responses (default off). */
  development?: boolean;
  /** Introspection and "Did you mean …" hints in validation errors (default off). */
  introspection?: boolean;
  /** Limits of design §6; unset ones take {@link DEFAULT_LIMITS}. */
  limits?: Partial<Limits>;
  /** Per-field source priority of survivorship; default {@link DEFAULT_PRIORITIES}. */
  priorities?: Priorities;
  /** Responsibility list and due-time policy of the workflow; default {@link defaultWorkflowOptions}. */
  workflow?: WorkflowOptions;
  /** Minutes a called department has to acknowledge (乡呼县应); default 30. */
  callAcknowledgeMinutes?: number;
  /** The live incident event feed; unset ones take {@link DEFAULT_LIVE_SETTINGS}. */
  live?: Partial<LiveSettings>;
  /** Exact origins whose pages may read `/graphql` responses (see {@link corsMiddleware}); default none. */
  corsOrigins?: readonly string[];
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting connections, drains requests and closes sockets. */
  close(): Promise<void>;
}

/**
 * Serves GraphQL over HTTP and over WebSocket (graphql-transport-ws on the same path and port), plus `/healthz`
 * and `/readyz`. Both transports share one operation guard (document limits), one admission (rates and
 * execution slots) and one error formatter.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const development = options.development ?? false;
  const introspection = options.introspection ?? false;
  const log = options.log ?? ((line: string) => console.error(line));
  const formatError = createFormatError({
    development,
    hints: introspection,
    log: (line) => log(`internal error: ${line}`),
    // Errors are formatted without the viewer at hand: every message is masked, whoever asked.
    redact: maskText,
  });
  const guard = new OperationGuard(options.schema, limits, introspection);
  // One feed per instance reads the incident event log for all of its subscribers.
  const live = await LiveFeed.start({
    url: options.orm.config.get('clientUrl')!,
    settings: options.live,
    bell: incidentEventBell(options.orm),
    log,
  });
  const admission = new Admission(limits);

  const app = express();
  app.disable('x-powered-by');
  // No entity tag hashed over every response body: a GraphQL answer is made in full before it could be compared,
  // so a tag would save only its transfer, and answers are not to be cached (src/server/uncached.ts). The explorer's
  // files carry tags made once at start (src/server/explorer/explorer.ts).
  app.set('etag', false);
  const httpServer = http.createServer(app);
  const ingest = { maxBatch: limits.maxIngestBatch, priorities: options.priorities ?? DEFAULT_PRIORITIES };
  const workflow = options.workflow ?? defaultWorkflowOptions();
  const calls = callOptions({ acknowledgeMinutes: options.callAcknowledgeMinutes, responsibilities: workflow.responsibilities, due: workflow.due });
  const shared = { httpServer, orm: options.orm, schema: options.schema, key: options.key, limits, guard, admission, formatError, ingest, workflow, calls, live };
  const ws = mountWebSocketTransport(shared);
  const apollo = await mountHttpTransport({
    ...shared,
    app,
    development,
    introspection,
    cors: corsMiddleware(options.corsOrigins ?? []),
    onDrain: () => ws.dispose(),
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await live.close();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    close: async () => {
      try {
        await apollo.stop();
      } finally {
        await live.close();
      }
    },
  };
}
