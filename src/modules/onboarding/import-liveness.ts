/**
 * Whether a RUNNING import is really running. The process that runs a job writes its identity
 * (host:pid) and a heartbeat (every batch, and every HEARTBEAT_MS while a batch takes long); a job
 * whose runner is gone — a process of this host that no longer exists, or no heartbeat for
 * STALE_AFTER_MS — was interrupted (kill -9, a crash, a server stopped without its shutdown): it may
 * be resumed at once, and the reaper marks it FAILED so lists show the truth. Uploads kept only
 * their temporary file, so resuming one means uploading the same file again with `resume=true`.
 */
import { hostname } from 'node:os';
import type { Em } from '../../db/orm.ts';
import { ImportJob } from './import-job.entity.ts';

export const HEARTBEAT_MS = 10_000;
export const STALE_AFTER_MS = 60_000;

/** This process, as a job's runner. */
export const THIS_RUNNER = `${hostname()}:${process.pid}`;

/** Whether a job marked RUNNING has a live runner. */
export function runnerAlive(job: Pick<ImportJob, 'runner' | 'heartbeatAt' | 'updatedAt'>): boolean {
  const beat = (job.heartbeatAt ?? job.updatedAt).getTime();
  if (Date.now() - beat > STALE_AFTER_MS) return false;
  const [host, pid] = (job.runner ?? '').split(':');
  if (host !== hostname() || !pid) return true; // another host: only its heartbeat tells
  if (Number(pid) === process.pid) return true;
  try {
    process.kill(Number(pid), 0); // signal 0: does the process exist?
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Marks RUNNING jobs whose runner is gone as FAILED; answers how many. */
export async function reapInterrupted(em: Em): Promise<number> {
  const running = await em.find(ImportJob, { status: 'RUNNING' });
  const dead = running.filter((j) => !runnerAlive(j));
  for (const job of dead) {
    job.status = 'FAILED';
    job.finishedAt = new Date();
    job.message =
      'Interrupted: the process running it stopped. Run the same import again with resume to continue after its last committed batch.';
  }
  if (dead.length > 0) await em.flush();
  return dead.length;
}
