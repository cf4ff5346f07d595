/** `canon export --domain D`: every record of a domain as NDJSON or CSV, to stdout or a file. */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ExportFormat } from '../modules/onboarding/export.service.ts';
import type { RemoteFlags } from './options.ts';

const moment = (v: string) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('must be an ISO 8601 date and time');
  return d;
};

export function addExportCommand(program: Command): void {
  program
    .command('export')
    .description('write every record of a domain (one consistent snapshot) as NDJSON or CSV')
    .requiredOption('--domain <domain>', 'the domain, e.g. item')
    .addOption(
      new Option('--format <format>', 'the file format').choices(['ndjson', 'csv']).default('ndjson'),
    )
    .option('--as-of <moment>', 'values in effect at this moment (ISO 8601; default now)', moment)
    .option('--system <code>', "add this system's ids of each record")
    .option('--all', 'records of every status (default: live records)')
    .option('--out <file>', 'write to this file (default: standard output)')
    .option('--url <url>', 'export from a running Canon instead of the database (default: $CANON_URL)')
    .option('--token <token>', 'API token for --url (default: $CANON_TOKEN)')
    .action(
      async (
        opts: RemoteFlags & {
          domain: string;
          format: ExportFormat;
          asOf?: Date;
          system?: string;
          all?: boolean;
          out?: string;
        },
      ) => {
        const { remoteTarget } = await import('./transport.ts');
        const target = remoteTarget(opts);
        if (target) {
          const { exportThroughServer } = await import('./export-remote.ts');
          await exportThroughServer(target, opts);
          return;
        }
        const { withServices, systemContext } = await import('./support.ts');
        await withServices('canon export', async (services) => {
          const out: Writable = opts.out ? createWriteStream(opts.out) : process.stdout;
          const { progressReporter } = await import('./progress.ts');
          const progress = progressReporter('export', 'records');
          const n = await services.exports.export(
            systemContext('cli'),
            {
              domain: opts.domain,
              format: opts.format,
              asOf: opts.asOf,
              system: opts.system,
              allStatuses: opts.all,
            },
            {
              start: (sequence) =>
                console.error(`export of ${opts.domain} consistent with change sequence ${sequence}`),
              write: async (text) => {
                if (!out.write(text)) await once(out, 'drain');
              },
              progress: (n) => progress.update(n, undefined),
            },
          );
          if (opts.out) {
            out.end();
            await finished(out);
          }
          progress.stop();
          console.error(`${n} record(s) exported`);
        });
      },
    );
}
