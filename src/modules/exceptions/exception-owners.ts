/**
 * Who owns an exception (DESIGN §8): the team of the system of record for the record's domain and
 * site (the rule's team, else its system's); else the team that owns the domain's contract; else the
 * configured default queue — never nobody. Answers are memoised per transaction batch.
 */
import type { Em } from '../../db/orm.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';
import type { OwnerReason } from './exception.entities.ts';

export interface Owner {
  team: string;
  reason: OwnerReason;
}

export class ExceptionOwners {
  private readonly deps: { systems: SystemsService; contracts: ContractsService; defaultQueue: string };

  constructor(deps: { systems: SystemsService; contracts: ContractsService; defaultQueue: string }) {
    this.deps = deps;
  }

  get defaultQueue(): string {
    return this.deps.defaultQueue;
  }

  /** A resolver for one batch: each (domain, site) is looked up once. */
  forBatch(em: Em): (domain: string | null, site: string | null) => Promise<Owner> {
    const memo = new Map<string, Promise<Owner>>();
    return (domain, site) => {
      const key = `${domain}\u0000${site}`;
      let owner = memo.get(key);
      if (!owner) {
        owner = this.ownerOf(em, domain, site);
        memo.set(key, owner);
      }
      return owner;
    };
  }

  async ownerOf(em: Em, domain: string | null, site: string | null): Promise<Owner> {
    if (domain) {
      const data = await this.deps.systems.dataOwnerTeamIn(em, domain, site);
      if (data) return { team: data.team, reason: data.viaRule ? 'SYSTEM_OF_RECORD' : 'SYSTEM' };
      const contractTeam = await this.deps.contracts.ownerTeamIn(em, domain);
      if (contractTeam) return { team: contractTeam, reason: 'CONTRACT' };
    }
    return { team: this.deps.defaultQueue, reason: 'DEFAULT_QUEUE' };
  }
}
