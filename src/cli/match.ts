/**
 * `canon match --domain D` (a match over a domain, with progress), `canon match candidates | rules |
 * set-rule | remove-rule | dismiss`, and `canon merge` / `canon unmerge`: duplicate detection and
 * merging on the database or through a running Canon.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { list, positiveInt, type RemoteFlags, remoteOptions } from './options.ts';

const score = (v: string) => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= 0 && n <= 1))
    throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
};

/** `/name=merged`, `/weight=survivor`, `/name=value:"Hex bolt"` → a field choice. */
const choice = (v: string, previous: unknown[] = []) => {
  const m = /^(\/[^=]+)=(survivor|merged|value:(.*))$/i.exec(v);
  if (!m) throw new InvalidArgumentError('is /field=survivor, /field=merged or /field=value:<JSON>');
  if (m[3] === undefined) return [...previous, { path: m[1], source: m[2].toUpperCase() }];
  try {
    return [...previous, { path: m[1], source: 'VALUE', value: JSON.parse(m[3]) }];
  } catch {
    throw new InvalidArgumentError(`the value of ${m[1]} is not JSON`);
  }
};

const JOB_FIELDS = 'id status phase records comparisons compared found autoMerges error';

export function addMatchCommands(program: Command): void {
  const match = remoteOptions(
    program
      .command('match')
      .description('find duplicates in a whole domain (a background job; progress on stderr)')
      // its own --domain before a subcommand's name only: `match candidates --domain D` is the subcommand's
      .enablePositionalOptions()
      .option('--domain <name>', 'the domain to match (required)'),
  ).action(async (opts: RemoteFlags & { domain?: string }, command: Command) => {
    // not a required option: the subcommands would inherit the requirement
    if (!opts.domain) command.error("error: required option '--domain <name>' not specified");
    const domain = opts.domain as string;
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    const { progressReporter } = await import('./progress.ts');
    const { CanonError } = await import('../errors.ts');
    await withTransport(opts, 'canon match', async (t) => {
      const started = await t.call(
        `mutation($i: StartMatchJobInput!) { startMatchJob(input: $i) { ... on StartMatchJobPayload { job { ${JOB_FIELDS} } } ${ERROR_FIELDS} } }`,
        { i: { domain } },
      );
      let job = payloadOf<{ job: Record<string, any> }>(started.startMatchJob, 'The match').job;
      const progress = progressReporter(`match ${domain}`, 'pairs');
      while (job.status === 'RUNNING') {
        await new Promise((r) => setTimeout(r, 250));
        job = (await t.call(`query($id: ID!) { matchJob(id: $id) { ${JOB_FIELDS} } }`, { id: job.id }))
          .matchJob;
        progress.update(job.compared, job.comparisons, `${job.phase.toLowerCase()}, ${job.records} records`);
      }
      progress.stop();
      if (job.status === 'FAILED')
        throw new CanonError('SERVICE_UNAVAILABLE', `The match failed: ${job.error}`);
      if (opts.json) return console.log(JSON.stringify(job));
      console.log(
        `${job.records} ${domain} records, ${job.compared} pairs compared by similarity: ${job.found} possible duplicates${job.autoMerges ? `, ${job.autoMerges} merges proposed` : ''} (canon match candidates --domain ${domain}).`,
      );
    });
  });

  remoteOptions(
    match
      .command('candidates')
      .description("the stewards' queue: open pairs of possible duplicates, best first")
      .requiredOption('--domain <name>', 'the domain')
      .option('--min-score <n>', 'only pairs scoring this or more (0 to 1)', score)
      .option('--limit <n>', 'at most this many (default 50)', positiveInt),
  ).action(async (opts: RemoteFlags & { domain: string; minScore?: number; limit?: number }) => {
    const { withTransport } = await import('./transport.ts');
    const { printTable } = await import('./output.ts');
    await withTransport(opts, 'canon match candidates', async (t) => {
      const data = await t.call(
        `query($d: String!, $m: Float, $n: Int) { matchCandidates(domain: $d, minScore: $m, first: $n) {
           totalCount edges { node { id score rule left { key } right { key } reasons { message } } } } }`,
        { d: opts.domain, m: opts.minScore, n: opts.limit ?? 50 },
      );
      const rows = data.matchCandidates.edges.map((e: { node: Record<string, any> }) => e.node);
      if (opts.json) return console.log(JSON.stringify(rows));
      printTable(
        ['SCORE', 'LEFT', 'RIGHT', 'RULE', 'WHY', 'ID'],
        rows.map((c: Record<string, any>) => [
          c.score.toFixed(3),
          c.left?.key,
          c.right?.key,
          c.rule,
          c.reasons.map((r: { message: string }) => r.message).join(' '),
          c.id,
        ]),
      );
      console.error(`${rows.length} of ${data.matchCandidates.totalCount}`);
    });
  });

  remoteOptions(
    match
      .command('rules')
      .description('the match rules (of one domain or all)')
      .option('--domain <name>', 'only this domain'),
  ).action(async (opts: RemoteFlags & { domain?: string }) => {
    const { withTransport } = await import('./transport.ts');
    const { printTable } = await import('./output.ts');
    await withTransport(opts, 'canon match rules', async (t) => {
      const data = await t.call(
        `query($d: String) { matchRules(domain: $d) { domain name kind fields agree normalise minSimilarity numbersAgree score suggestAt autoMergeAt active } }`,
        { d: opts.domain },
      );
      if (opts.json) return console.log(JSON.stringify(data.matchRules));
      printTable(
        ['DOMAIN', 'NAME', 'KIND', 'FIELDS', 'AGREE', 'SCORE', 'SUGGEST', 'AUTO-MERGE', 'ACTIVE'],
        data.matchRules.map((r: Record<string, any>) => [
          r.domain,
          r.name,
          r.kind === 'FUZZY' ? `FUZZY ≥${r.minSimilarity}${r.numbersAgree ? ' #' : ''}` : r.kind,
          r.fields.join(' '),
          r.agree.join(' '),
          r.score,
          r.suggestAt,
          r.autoMergeAt ?? '',
          r.active ? 'yes' : 'no',
        ]),
      );
    });
  });

  remoteOptions(
    match
      .command('set-rule')
      .description('create or replace a match rule (admins)')
      .requiredOption('--domain <name>', 'the domain')
      .requiredOption('--name <name>', 'the rule (kebab-case)')
      .requiredOption('--kind <kind>', 'EXACT or FUZZY')
      .requiredOption('--fields <pointers>', 'comma-separated JSON pointers (FUZZY: one text field)', list)
      .option('--agree <pointers>', 'FUZZY: fields that must agree', list)
      .option('--min-similarity <n>', 'FUZZY: the least similarity', score)
      .option('--numbers-agree', 'FUZZY: the numbers in both texts must be the same')
      .option('--exact-case', 'EXACT: compare as written (no normalisation)')
      .requiredOption('--score <n>', 'the score (EXACT) or weight (FUZZY)', score)
      .requiredOption('--suggest-at <n>', 'suggestion threshold', score)
      .option('--auto-merge-at <n>', 'merge proposals from this score', score)
      .option('--inactive', 'keep the rule but do not use it'),
  ).action(async (opts: RemoteFlags & Record<string, any>) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await withTransport(opts, 'canon match set-rule', async (t) => {
      const input = {
        domain: opts.domain,
        name: opts.name,
        kind: String(opts.kind).toUpperCase(),
        fields: opts.fields,
        agree: opts.agree ?? [],
        minSimilarity: opts.minSimilarity,
        numbersAgree: Boolean(opts.numbersAgree),
        normalise: !opts.exactCase,
        score: opts.score,
        suggestAt: opts.suggestAt,
        autoMergeAt: opts.autoMergeAt,
        active: !opts.inactive,
      };
      const data = await t.call(
        `mutation($i: SetMatchRuleInput!) { setMatchRule(input: $i) { ... on SetMatchRulePayload { rule { domain name kind lockVersion } } ${ERROR_FIELDS} } }`,
        { i: input },
      );
      const { rule } = payloadOf<{ rule: Record<string, unknown> }>(data.setMatchRule, 'The rule');
      console.log(
        opts.json ? JSON.stringify(rule) : `${rule.domain} ${rule.name} set (version ${rule.lockVersion}).`,
      );
    });
  });

  remoteOptions(
    match
      .command('remove-rule')
      .description('remove a match rule (admins)')
      .requiredOption('--domain <name>', 'the domain')
      .requiredOption('--name <name>', 'the rule'),
    false,
  ).action(async (opts: RemoteFlags & { domain: string; name: string }) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await withTransport(opts, 'canon match remove-rule', async (t) => {
      const data = await t.call(
        `mutation($i: RemoveMatchRuleInput!) { removeMatchRule(input: $i) { ... on RemoveMatchRulePayload { name } ${ERROR_FIELDS} } }`,
        { i: { domain: opts.domain, name: opts.name } },
      );
      payloadOf(data.removeMatchRule, 'The rule');
      console.log(`${opts.domain} ${opts.name} removed.`);
    });
  });

  remoteOptions(
    match
      .command('dismiss <candidate>')
      .description('say a candidate pair are different records (never suggested again)')
      .option('--note <text>', 'why'),
    false,
  ).action(async (candidate: string, opts: RemoteFlags & { note?: string }) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await withTransport(opts, 'canon match dismiss', async (t) => {
      const data = await t.call(
        `mutation($i: MarkNotDuplicateInput!) { markNotDuplicate(input: $i) { ... on MarkNotDuplicatePayload { candidate { status } } ${ERROR_FIELDS} } }`,
        { i: { id: candidate, note: opts.note } },
      );
      payloadOf(data.markNotDuplicate, 'The candidate');
      console.log(`${candidate}: not a duplicate.`);
    });
  });
}

export function addMergeCommands(program: Command): void {
  remoteOptions(
    program
      .command('merge <survivor> <merged>')
      .description('propose merging two records (ids): the survivor keeps its id and key')
      .option('--take <choice>', 'a field choice: /field=survivor|merged|value:<JSON> (repeatable)', choice)
      .option('--reason <text>', 'why'),
  ).action(
    async (survivor: string, merged: string, opts: RemoteFlags & { take?: unknown[]; reason?: string }) => {
      const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
      await withTransport(opts, 'canon merge', async (t) => {
        const data = await t.call(
          `mutation($i: MergeRecordsInput!) { mergeRecords(input: $i) { ... on MergeRecordsPayload {
           changeRequest { id status requiredApprovals merge { fields { path source rule } } } } ${ERROR_FIELDS} } }`,
          { i: { survivor, merged, fieldChoices: opts.take ?? [], reason: opts.reason } },
        );
        const { changeRequest: cr } = payloadOf<{ changeRequest: Record<string, any> }>(
          data.mergeRecords,
          'The merge',
        );
        if (opts.json) return console.log(JSON.stringify(cr));
        for (const f of cr.merge.fields)
          console.log(`${f.path}: ${f.source.toLowerCase()} (${f.rule.toLowerCase()})`);
        console.log(
          cr.status === 'APPLIED'
            ? `Merged (change request ${cr.id}).`
            : `Change request ${cr.id} is ${cr.status}: ${cr.requiredApprovals} approval(s) needed.`,
        );
      });
    },
  );
  remoteOptions(
    program
      .command('unmerge <merged>')
      .description('undo the newest merge of a record: it is live again with what the merge moved')
      .option('--reason <text>', 'why'),
  ).action(async (merged: string, opts: RemoteFlags & { reason?: string }) => {
    const { withTransport, payloadOf, ERROR_FIELDS } = await import('./transport.ts');
    await withTransport(opts, 'canon unmerge', async (t) => {
      const data = await t.call(
        `mutation($i: UnmergeRecordInput!) { unmergeRecord(input: $i) { ... on UnmergeRecordPayload { changeRequest { id status } } ${ERROR_FIELDS} } }`,
        { i: { merged, reason: opts.reason } },
      );
      const { changeRequest: cr } = payloadOf<{ changeRequest: Record<string, any> }>(
        data.unmergeRecord,
        'The unmerge',
      );
      console.log(opts.json ? JSON.stringify(cr) : `Unmerged (change request ${cr.id}).`);
    });
  });
}
