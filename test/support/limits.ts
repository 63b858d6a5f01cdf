import { HttpAnswer, answerCode, monitorAgent, ProbeResult, probeWhile, request, postGraphQL } from '../../bench/attack-client';
import { Hub } from './harness';

export * from '../../bench/attack-client';

/**
 * What one attack did to the hub running in this jest worker: the attack's own outcome, the control requests
 * answered meanwhile on other connections, and how much the worker's RSS grew (the hub runs in this process).
 */
export interface AttackRun<T> {
  result: T;
  /** Wall time of the attack, ms. */
  ms: number;
  control: ProbeResult;
  health: ProbeResult;
  /** Peak RSS during the attack minus RSS before, MB. */
  rssGrowthMb: number;
  /** The slowest of the control and health probes answered just before the attack, ms: what the machine's load allows. */
  baselineMs: number;
}

/**
 * Runs `attack`, and while it is in flight repeats a control query (`{ __typename }` by default) and `/healthz`,
 * each on its own connection, sampling RSS every 20 ms.
 */
export async function runAttack<T>(
  hub: Hub,
  controlToken: string,
  attack: () => Promise<T>,
  options: { control?: string; timeoutMs?: number } = {},
): Promise<AttackRun<T>> {
  // Each probe on the connection a monitor keeps open (see monitorAgent), opened before the attack starts.
  const controlAgent = monitorAgent();
  const healthAgent = monitorAgent();
  let baselineMs = 0;
  for (let i = 0; i < BASELINE_PROBES; i++) {
    const control = await postGraphQL(hub.url, controlToken, options.control ?? '{ __typename }', undefined, 5_000, controlAgent);
    const health = await request(hub.url.replace(/\/graphql$/, '/healthz'), { timeoutMs: 5_000, agent: healthAgent });
    if (i > 0) baselineMs = Math.max(baselineMs, control.ms, health.ms); // the first opens the connections
  }
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const attackPromise = attack();
  const timed = attackPromise.then((result) => ({ result, ms: performance.now() - started }));
  const timeoutMs = options.timeoutMs ?? 5_000;
  const [{ result, ms }, control, health] = await Promise.all([
    timed,
    probeWhile(attackPromise, () => postGraphQL(hub.url, controlToken, options.control ?? '{ __typename }', undefined, timeoutMs, controlAgent), { pauseMs: 20 }),
    probeWhile(attackPromise, () => request(hub.url.replace(/\/graphql$/, '/healthz'), { timeoutMs, agent: healthAgent }), { pauseMs: 20 }),
  ]);
  controlAgent.destroy();
  healthAgent.destroy();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { result, ms, control, health, rssGrowthMb: (peak - before) / 2 ** 20, baselineMs };
}

/** Control and health probes answered one after another before an attack, to learn the machine's current pace. */
const BASELINE_PROBES = 6;

/** Limits on the side effects of any attack: the controls answered promptly, memory stayed put. */
export const BOUNDS = {
  /** A refusal, measured from the first byte sent. */
  refusalMs: 2_000,
  /**
   * A control request while an attack is in flight: within this, or within {@link BOUNDS.baselineFactor} times the
   * slowest probe just before the attack when the machine is so loaded (other jobs on its two cores) that even
   * unattacked requests are slow. An attack that starves other callers still fails: it makes them far slower
   * than the machine was a moment before.
   */
  controlMs: 1_000,
  baselineFactor: 10,
  rssGrowthMb: 300,
};

/** What went wrong on the side while an attack ran: slow or failed controls, memory growth. */
export function harm(run: AttackRun<unknown>, controlMs = BOUNDS.controlMs): string[] {
  const problems: string[] = [];
  const badControls = run.control.codes.filter((code) => code !== 'data');
  if (badControls.length) problems.push(`control queries answered ${[...new Set(badControls)].join(', ')}`);
  const badHealth = run.health.codes.filter((code) => code !== 'HTTP 200');
  if (badHealth.length) problems.push(`/healthz answered ${[...new Set(badHealth)].join(', ')}`);
  const loaded = BOUNDS.baselineFactor * run.baselineMs;
  const bound = (ms: number) => Math.round(Math.max(ms, loaded));
  const why = loaded > controlMs ? ` (${BOUNDS.baselineFactor} × ${Math.round(run.baselineMs)} ms before the attack)` : '';
  if (run.control.max > bound(controlMs)) {
    problems.push(`the slowest control query took ${Math.round(run.control.max)} ms (bound ${bound(controlMs)}${why})`);
  }
  if (run.health.max > bound(BOUNDS.controlMs)) {
    problems.push(`the slowest /healthz took ${Math.round(run.health.max)} ms (bound ${bound(BOUNDS.controlMs)}${why})`);
  }
  if (run.rssGrowthMb >= BOUNDS.rssGrowthMb) problems.push(`RSS grew by ${Math.round(run.rssGrowthMb)} MB (bound ${BOUNDS.rssGrowthMb})`);
  return problems;
}

/**
 * Asserts the side effects of an attack: every control and health probe answered (data / 200) within
 * {@link BOUNDS.controlMs}, and RSS grew by less than {@link BOUNDS.rssGrowthMb}.
 */
export function expectUnharmed(run: AttackRun<unknown>, controlMs = BOUNDS.controlMs): void {
  const problems = harm(run, controlMs);
  if (problems.length) throw new Error(`the hub was harmed while the attack ran (${Math.round(run.ms)} ms): ${problems.join('; ')}`);
}

/**
 * Asserts an HTTP attack was refused with `code` within the refusal bound and did no harm; one failure lists
 * every problem (so a run against an undefended hub shows all the damage). Returns the refusal's first error.
 */
export function expectAttackRefused(run: AttackRun<HttpAnswer>, code: string): { message: string; extensions?: any } {
  const problems: string[] = [];
  const answer = run.result;
  const got = answerCode(answer);
  if (got !== code || answer.ms > BOUNDS.refusalMs) {
    const error = answer.body?.errors?.[0];
    const detail = error ? ` ${JSON.stringify(error).slice(0, 200)}` : '';
    problems.push(`answered ${got} (HTTP ${answer.status}, ${answer.bytes.toLocaleString('en')} bytes) after ${Math.round(answer.ms)} ms, not ${code} within ${BOUNDS.refusalMs} ms${detail}`);
  }
  problems.push(...harm(run));
  if (problems.length) throw new Error(problems.join('; '));
  return answer.body.errors[0];
}

/**
 * Asserts an HTTP answer is a refusal with `code`, within `maxMs`, and returns its first error. The failure
 * message says what came instead (data, another code, a timeout) and how long it took.
 */
export function expectRefusal(answer: HttpAnswer, code: string, maxMs = BOUNDS.refusalMs): { message: string; extensions?: any } {
  const got = answerCode(answer);
  if (got !== code || answer.ms > maxMs) {
    const error = answer.body?.errors?.[0];
    const detail = error ? `: ${JSON.stringify(error).slice(0, 300)}` : '';
    throw new Error(`expected ${code} within ${maxMs} ms, got ${got} (HTTP ${answer.status}) after ${Math.round(answer.ms)} ms${detail}`);
  }
  return answer.body.errors[0];
}

/** Numbers in a message, thousands separators removed (`"cost 52,000 exceeds 20 000"` → [52000, 20000]). */
export function numbersIn(message: string): number[] {
  return (message.replace(/(\d)[,\u202f\u00a0 ](?=\d{3}\b)/g, '$1').match(/\d+/g) ?? []).map(Number);
}
