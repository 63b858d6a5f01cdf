import http from 'node:http';
import WebSocket from 'ws';

/**
 * A hostile client for the limits tests and `npm run bench:attack`: every request on its own TCP connection
 * (so a control request never queues behind an attack on a shared keep-alive socket), every wait bounded by a
 * timeout (so an undefended hub costs time, never a hang).
 */

export interface HttpAnswer {
  /** HTTP status; 0 when the request timed out or failed. */
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or null. */
  body: any;
  /** Bytes of the response body. */
  bytes: number;
  ms: number;
  timedOut: boolean;
  /** Transport failure (connection reset, …). */
  failure?: string;
}

/** The first error's code, or `data` when the answer has data and no errors, or what went wrong in transport. */
export function answerCode(answer: HttpAnswer): string {
  if (answer.timedOut) return 'TIMEOUT';
  if (answer.failure) return `FAILED (${answer.failure})`;
  const code = answer.body?.errors?.[0]?.extensions?.code;
  if (code) return code;
  if (answer.body?.data) return 'data';
  return `HTTP ${answer.status}`;
}

/** Sends one HTTP request on a fresh connection; resolves (never rejects) within `timeoutMs`. */
export function request(
  url: string,
  options: { method?: string; token?: string | null; body?: string | object; timeoutMs?: number; agent?: http.Agent } = {},
): Promise<HttpAnswer> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const payload =
    options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: Omit<HttpAnswer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: performance.now() - started });
    };
    const req = http.request(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        // A fresh connection per request (an attacker's way) unless an agent is given (a monitor's kept connection).
        agent: options.agent ?? false,
        headers: {
          accept: 'application/graphql-response+json, application/json',
          ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any = null;
          try {
            body = JSON.parse(text);
          } catch {
            body = null;
          }
          finish({ status: res.statusCode ?? 0, headers: res.headers, body, bytes: Buffer.byteLength(text), timedOut: false });
        });
        res.on('error', (error) => finish({ status: 0, headers: {}, body: null, bytes: 0, timedOut: false, failure: error.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ status: 0, headers: {}, body: null, bytes: 0, timedOut: true });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error) => finish({ status: 0, headers: {}, body: null, bytes: 0, timedOut: false, failure: error.message }));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** POSTs a GraphQL request on a fresh connection. */
export function postGraphQL(
  url: string,
  token: string | null,
  query: string,
  variables?: Record<string, unknown>,
  timeoutMs?: number,
  agent?: http.Agent,
): Promise<HttpAnswer> {
  return request(url, { token, body: { query, variables }, timeoutMs, agent });
}

/**
 * The connection a monitor keeps open for its probes. A new connection, while an attacker floods the port with
 * connections, waits in the kernel's accept queue before the hub even sees it — for seconds on this 2-core
 * machine, with a bare node:http server just as with gridhub — so probes that open their own would measure the
 * flood, not whether the hub keeps answering.
 */
export function monitorAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1 });
}

/** Latencies of a control request repeated back to back while `during` is pending (at least one probe). */
export interface ProbeResult {
  count: number;
  /** Every probe's latency in ms, in order. */
  ms: number[];
  max: number;
  /** Codes of the probes' answers (`data`, `TIMEOUT`, an error code, `HTTP 200`, …). */
  codes: string[];
}

/**
 * Repeats `probe` sequentially from `delayMs` after the call until `during` settles (or `maxMs` passes), so at
 * least one probe runs while the attack is in flight.
 */
export async function probeWhile(
  during: Promise<unknown>,
  probe: () => Promise<HttpAnswer>,
  options: { delayMs?: number; pauseMs?: number; maxMs?: number } = {},
): Promise<ProbeResult> {
  let done = false;
  void during.then(
    () => (done = true),
    () => (done = true),
  );
  const started = performance.now();
  await sleep(options.delayMs ?? 30);
  const ms: number[] = [];
  const codes: string[] = [];
  do {
    const answer = await probe();
    ms.push(answer.ms);
    codes.push(answerCode(answer));
    if (options.pauseMs) await sleep(options.pauseMs);
  } while (!done && performance.now() - started < (options.maxMs ?? 120_000));
  return { count: ms.length, ms, max: Math.max(...ms), codes };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A message the server sent on a raw graphql-transport-ws socket. */
export interface WsMessage {
  type: string;
  id?: string;
  payload?: any;
}

/**
 * A raw graphql-transport-ws socket (no client library in between), to send what a well-behaved client never
 * would: oversized frames, many operations at once.
 */
export class RawSocket {
  readonly messages: WsMessage[] = [];
  /** Resolves with the close code and reason when the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      try {
        this.messages.push(JSON.parse(data.toString()) as WsMessage);
      } catch {
        this.messages.push({ type: 'unparsable' });
      }
      for (const waiter of [...this.waiters]) waiter();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('error', () => undefined);
  }

  /** Connects and completes `connection_init` with `token`; rejects if no ack comes within `timeoutMs`. */
  static async open(wsUrl: string, token: string, timeoutMs = 5_000): Promise<RawSocket> {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { maxPayload: 1 << 30 });
    const raw = new RawSocket(socket);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      }),
      timeoutMs,
      'WebSocket open',
    );
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await raw.waitFor((messages) => messages.some((message) => message.type === 'connection_ack'), timeoutMs, 'connection_ack');
    return raw;
  }

  send(frame: string | object): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  subscribe(id: string, query: string, variables?: Record<string, unknown>): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  /** Resolves once `predicate(messages)` holds; rejects after `timeoutMs` (or when the socket closes first). */
  waitFor(predicate: (messages: WsMessage[]) => boolean, timeoutMs: number, what = 'messages'): Promise<void> {
    if (predicate(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.messages)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      void this.closed.then(() => {
        if (!this.waiters.has(check)) return;
        cleanup();
        if (predicate(this.messages)) resolve();
        else reject(new Error(`the socket closed while waiting for ${what}`));
      });
    });
  }

  /**
   * How each operation `ids` ended: `data` (a next without errors), the first error's code (a next with errors, or
   * an error message), or `PENDING` when it has not ended.
   */
  outcomes(ids: string[]): Map<string, string> {
    const result = new Map<string, string>(ids.map((id) => [id, 'PENDING']));
    for (const message of this.messages) {
      if (!message.id || !result.has(message.id)) continue;
      if (message.type === 'next') {
        const code = message.payload?.errors?.[0]?.extensions?.code;
        result.set(message.id, code ?? (message.payload?.data ? 'data' : 'next'));
      } else if (message.type === 'error') {
        const errors = Array.isArray(message.payload) ? message.payload : [message.payload];
        result.set(message.id, errors[0]?.extensions?.code ?? 'error');
      }
    }
    return result;
  }

  /** Whether every operation `ids` has ended (complete or error). */
  ended(ids: string[]): boolean {
    const open = new Set(ids);
    for (const message of this.messages) if (message.id && (message.type === 'complete' || message.type === 'error')) open.delete(message.id);
    return open.size === 0;
  }

  close(): void {
    this.socket.terminate();
  }
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}
