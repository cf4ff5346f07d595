/**
 * Canon-assigned business keys for records that arrive without one (many Odoo products have no
 * `default_code`, many PLM extracts no part number yet): the next value of the domain's sequence,
 * skipping keys that are taken or reserved as a renamed record's alias. Taken inside the proposal's
 * transaction (the sequence row is locked until it commits), so two proposals never get one key and
 * a refused proposal uses none.
 */
import { lockNamed } from '../../../db/locks.ts';
import type { Em, Orm } from '../../../db/orm.ts';
import { CanonError } from '../../../errors.ts';
import type { AuditService } from '../../audit/audit.service.ts';
import { authorize } from '../../auth/ability.ts';
import type { CallContext } from '../../auth/actor-context.ts';
import type { ContractsService } from '../../contracts/contracts.service.ts';
import { idempotentTransaction } from '../../idempotency/idempotency.service.ts';
import type { Data, DomainRules } from '../domain-rules.ts';
import { liveOwnerOfOldKey } from './key-aliases.ts';
import { KeySequence } from './key-sequence.entity.ts';

export const DEFAULT_KEY_PADDING = 6;
/** A prefix of letters, digits and `-_./` (so assigned keys fit every built-in key rule). */
const PREFIX = /^[A-Z0-9][A-Z0-9._/-]{0,29}$/;

export const defaultPrefix = (domain: string) => `${domain.toUpperCase().replace(/[^A-Z0-9]/g, '')}-`;

export interface KeySequenceView {
  domain: string;
  prefix: string;
  padding: number;
  nextValue: number;
}

export class KeySequences {
  private readonly orm: Orm;
  private readonly audit: AuditService;
  private readonly contracts: ContractsService;

  constructor(orm: Orm, audit: AuditService, contracts: ContractsService) {
    this.orm = orm;
    this.audit = audit;
    this.contracts = contracts;
  }

  /** The payload with a Canon-assigned key in the domain's single key field. */
  async assign(em: Em, rules: DomainRules, data: Data): Promise<Data> {
    if (rules.keyFields.length !== 1 || rules.keyFields[0].split('/').length !== 2)
      throw new CanonError(
        'BAD_USER_INPUT',
        `Canon assigns keys only to domains keyed by one field; ${rules.domain} is keyed by ${rules.keyFields.join(' and ')}.`,
        { path: ['assignKey'] },
      );
    const field = rules.keyFields[0].slice(1);
    if (data[field] !== undefined && data[field] !== null)
      throw new CanonError('BAD_USER_INPUT', `Give ${field} or ask Canon to assign it, not both.`, {
        path: ['data', field],
      });
    const conn = em.getConnection();
    const tx = em.getTransactionContext();
    const scope = rules.siteScoped ? (rules.siteOf(data) ?? '') : '';
    for (let attempt = 0; attempt < 1000; attempt++) {
      const [row] = await conn.execute<{ value: string; prefix: string; padding: number }[]>(
        `insert into key_sequence (domain, prefix, padding, next_value, updated_at) values (?, ?, ?, 2, now())
         on conflict (domain) do update set next_value = key_sequence.next_value + 1
         returning (next_value - 1)::text as value, prefix, padding`,
        [rules.domain, defaultPrefix(rules.domain), DEFAULT_KEY_PADDING],
        'all',
        tx,
      );
      const key = `${row.prefix}${row.value.padStart(row.padding, '0')}`;
      const [taken] = await conn.execute<unknown[]>(
        `select 1 from golden_record where domain = ? and key = ? and key_scope = ? and status = 'ACTIVE' limit 1`,
        [rules.domain, key, scope],
        'all',
        tx,
      );
      if (!taken && !(await liveOwnerOfOldKey(em, rules.domain, key, scope, null)))
        return { ...data, [field]: key };
    }
    throw new CanonError('INVALID_STATE', `The ${rules.domain} key sequence found no free key; move it on.`, {
      path: ['assignKey'],
    });
  }

  async list(ctx: CallContext): Promise<KeySequenceView[]> {
    authorize(ctx.ability, ctx.actor, 'read', 'GoldenRecord');
    const rows = await this.orm.em.fork().find(KeySequence, {}, { orderBy: { domain: 'asc' } });
    return rows.map(toView);
  }

  /** Sets a domain's prefix, padding and (optionally) next value (admins). */
  async set(
    ctx: CallContext,
    input: {
      domain: string;
      prefix: string;
      padding?: number;
      nextValue?: number;
      idempotencyKey?: string | null;
    },
  ): Promise<KeySequenceView> {
    authorize(ctx.ability, ctx.actor, 'manage', 'ApprovalPolicy');
    if (!PREFIX.test(input.prefix))
      throw new CanonError(
        'BAD_USER_INPUT',
        'A prefix is 1 to 30 capital letters, digits and -_./, e.g. "ITEM-".',
        {
          path: ['prefix'],
        },
      );
    const padding = input.padding ?? DEFAULT_KEY_PADDING;
    if (!Number.isInteger(padding) || padding < 1 || padding > 12)
      throw new CanonError('BAD_USER_INPUT', 'Padding is 1 to 12 digits.', { path: ['padding'] });
    if (input.nextValue !== undefined && (!Number.isSafeInteger(input.nextValue) || input.nextValue < 1))
      throw new CanonError('BAD_USER_INPUT', 'The next value is a positive integer.', {
        path: ['nextValue'],
      });
    const { idempotencyKey, ...rest } = input;
    return idempotentTransaction(
      this.orm,
      ctx,
      idempotencyKey,
      'setKeySequence',
      rest,
      (em) => ({
        idOf: (v: KeySequenceView) => v.domain,
        replay: async (domain: string) => toView(await em.findOneOrFail(KeySequence, { domain })),
      }),
      async (em) => {
        await this.contracts.validatorFor(em, input.domain); // the domain must have a published contract
        // lock the row (or its absence) against assignments running now
        await lockNamed(em, `key-sequence:${input.domain}`);
        let row = await em.findOne(KeySequence, { domain: input.domain });
        const before = row ? toView(row) : null;
        // the sequence it already has (a retry, a double click) changes nothing and is not audited again
        if (
          row &&
          row.prefix === input.prefix &&
          row.padding === padding &&
          (input.nextValue === undefined || row.nextValue === input.nextValue)
        )
          return toView(row);
        if (!row)
          row = em.create(KeySequence, {
            domain: input.domain,
            prefix: input.prefix,
            padding,
            nextValue: input.nextValue ?? 1,
            updatedBy: ctx.actor?.id ?? null,
          });
        row.prefix = input.prefix;
        row.padding = padding;
        if (input.nextValue !== undefined) row.nextValue = input.nextValue;
        row.updatedBy = ctx.actor?.id ?? null;
        await em.flush();
        await this.audit.record(em, ctx, {
          action: 'KEY_SEQUENCE_SET',
          subjectType: 'KeySequence',
          subjectId: input.domain,
          before,
          after: toView(row),
        });
        return toView(row);
      },
    );
  }
}

function toView(row: KeySequence): KeySequenceView {
  return { domain: row.domain, prefix: row.prefix, padding: row.padding, nextValue: Number(row.nextValue) };
}
