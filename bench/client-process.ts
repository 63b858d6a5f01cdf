import { ChildProcess, fork } from 'node:child_process';

/**
 * A benchmark's client as a child process (`script`, forked with an IPC channel): one command at a time, one reply
 * each (`{ ok, result }` or `{ ok: false, error }`), so that the client's CPU is its own and not the measuring
 * process's.
 */
export class ClientProcess<Command> {
  readonly child: ChildProcess;
  private pending: { resolve: (value: unknown) => void; reject: (error: Error) => void } | null = null;

  constructor(script: string) {
    this.child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: { ok: boolean; result?: unknown; error?: string }) => {
      const pending = this.pending;
      this.pending = null;
      if (message.ok) pending?.resolve(message.result);
      else pending?.reject(new Error(`the client failed: ${message.error}`));
    });
    this.child.on('exit', (code, signal) => {
      this.pending?.reject(new Error(`the client exited (${signal ?? `exit ${code}`})`));
      this.pending = null;
    });
  }

  call<T>(command: Command): Promise<T> {
    if (this.pending) throw new Error('one command at a time');
    return new Promise<T>((resolve, reject) => {
      this.pending = { resolve: resolve as (value: unknown) => void, reject };
      this.child.send(command as object);
    });
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }
}
