import fs from 'node:fs';
import path from 'node:path';

/*
 * Reading a V8 .cpuprofile (what `node --cpu-prof` writes) for the benchmarks: self time per function, optionally
 * within a window of time, so that a hub's start-up does not dilute what it spent on the measured work.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

/** The parts of a .cpuprofile read here; times in microseconds of the monotonic clock. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  /** `function (file:line)`, or V8's own entries: (garbage collector), (program), (idle). */
  name: string;
  ms: number;
  /** Of the busy time (all samples except (idle)). */
  share: number;
}

export interface ProfileSummary {
  top: SelfTime[];
  busyMs: number;
  idleMs: number;
  samples: number;
  /** False when the window held no samples and the whole profile was summed instead. */
  windowed: boolean;
}

/** The newest .cpuprofile in `dir` written by process `pid` (node names them CPU.<date>.<time>.<pid>.<tid>.<seq>). */
export function findProfile(dir: string, pid: number): string | null {
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.cpuprofile') && name.split('.')[3] === String(pid)) : [];
  if (names.length === 0) return null;
  return path.join(dir, names.sort().at(-1)!);
}

/**
 * The `limit` functions with the most self time. Each sample lasts until the next one. With `window` (µs of
 * CLOCK_MONOTONIC, as `process.hrtime.bigint() / 1000n` gives in any process of the machine), only the samples
 * inside it count.
 */
export function summarizeProfile(profile: CpuProfile, limit: number, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byName = new Map<string, number>();
  const add = (sampleWindow: { fromUs: number; toUs: number } | undefined): number => {
    byName.clear();
    let counted = 0;
    let time = profile.startTime;
    for (let i = 0; i < samples.length; i++) {
      time += deltas[i] ?? 0;
      const duration = deltas[i + 1] ?? 0;
      if (sampleWindow && (time < sampleWindow.fromUs || time > sampleWindow.toUs)) continue;
      const node = nodes.get(samples[i]);
      if (!node) continue;
      const name = label(node.callFrame);
      byName.set(name, (byName.get(name) ?? 0) + duration);
      counted++;
    }
    return counted;
  };
  let windowed = window !== undefined;
  let counted = add(window);
  if (windowed && counted === 0) {
    windowed = false;
    counted = add(undefined);
  }
  const idleUs = byName.get('(idle)') ?? 0;
  byName.delete('(idle)');
  const busyUs = [...byName.values()].reduce((sum, us) => sum + us, 0);
  const top = [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return { top, busyMs: busyUs / 1000, idleMs: idleUs / 1000, samples: counted, windowed };
}

function label(frame: CallFrame): string {
  if (!frame.url) return frame.functionName || '(anonymous)';
  let file = frame.url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) file = file.slice(modules + 1);
  else file = path.relative(process.cwd(), file) || file;
  return `${frame.functionName || '(anonymous)'} (${file}:${frame.lineNumber + 1})`;
}
