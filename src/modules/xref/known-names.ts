/**
 * Connectors name a system and a domain on every map call. A typo there must not read as "no links"
 * (a connector that creates what its map lacks would duplicate the catalogue): an unknown system or
 * domain is NOT_FOUND. Systems and contracts are never deleted, so a name once found stays known
 * and is not looked up again (the hot path pays nothing); an unknown name is looked up each time,
 * so one registered a moment ago on another instance is found.
 */
import { CanonError } from '../../errors.ts';
import type { CallContext } from '../auth/actor-context.ts';
import type { ContractsService } from '../contracts/contracts.service.ts';
import type { SystemsService } from '../systems/systems.service.ts';

export class KnownNames {
  private readonly systems: SystemsService;
  private readonly contracts: ContractsService;
  private readonly knownSystems = new Set<string>();
  private readonly knownDomains = new Set<string>();

  constructor(systems: SystemsService, contracts: ContractsService) {
    this.systems = systems;
    this.contracts = contracts;
  }

  /** Both names already known: the hot path's check, with no promise to await. */
  knows(system: string, domain: string): boolean {
    return this.knownSystems.has(system) && this.knownDomains.has(domain);
  }

  async requireSystem(ctx: CallContext, code: string, path: string): Promise<void> {
    if (this.knownSystems.has(code)) return;
    if (!(await this.systems.get(ctx, code)))
      throw new CanonError(
        'NOT_FOUND',
        `No system ${JSON.stringify(code)} is registered (registerSystem; see systems { code }).`,
        { path: [path] },
      );
    this.knownSystems.add(code);
  }

  async requireDomain(ctx: CallContext, domain: string, path = 'domain'): Promise<void> {
    if (this.knownDomains.has(domain)) return;
    if (!(await this.contracts.getContract(ctx, domain)))
      throw new CanonError(
        'NOT_FOUND',
        `No domain ${JSON.stringify(domain)}: no contract has that name (see contracts { name }).`,
        { path: [path] },
      );
    this.knownDomains.add(domain);
  }
}
