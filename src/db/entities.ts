/** Every entity the ORM maps; each module owns its own, this list only gathers them. */

import { AuditCheckpointEntity } from '../modules/audit/audit-checkpoint.entity.ts';
import { AuditEventEntity } from '../modules/audit/audit-event.entity.ts';
import { ActorEntity } from '../modules/auth/actor.entity.ts';
import { ApiTokenEntity } from '../modules/auth/api-token.entity.ts';
import {
  ContractImpactEntity,
  ContractUsageEntity,
  ImpactAckEntity,
  ImpactPolicyEntity,
} from '../modules/consumers/consumer.entities.ts';
import { ContractEntity } from '../modules/contracts/contract.entity.ts';
import { ContractVersionEntity } from '../modules/contracts/contract-version.entity.ts';
import { RegistrySettingsEntity } from '../modules/contracts/registry-settings.entity.ts';
import { OutboxEventEntity } from '../modules/events/outbox-event.entity.ts';
import { RelayPositionEntity } from '../modules/events/relay/relay-position.entity.ts';
import {
  ExceptionCommentEntity,
  IntegrationExceptionEntity,
  QuarantineEntity,
} from '../modules/exceptions/exception.entities.ts';
import { IdempotencyKeyEntity } from '../modules/idempotency/idempotency-key.entity.ts';
import { MatchCandidateEntity, MatchJobEntity, MatchRuleEntity } from '../modules/matching/match.entities.ts';
import {
  ImportJobEntity,
  ImportPendingLinkEntity,
  ImportReportRowEntity,
} from '../modules/onboarding/import-job.entity.ts';
import { ReconcileDifferenceEntity, ReconcileJobEntity } from '../modules/onboarding/reconcile-job.entity.ts';
import {
  ChangeAckEntity,
  PendingChangeEntity,
  PropagationStateEntity,
  SubscriptionEntity,
  SystemCursorEntity,
} from '../modules/propagation/propagation.entities.ts';
import { PackageVersionEntity } from '../modules/publishing/package-version.entity.ts';
import { ApprovalPolicyEntity } from '../modules/records/approval-policy.entity.ts';
import { BulkChangeRequestEntity } from '../modules/records/bulk-change-request.entity.ts';
import { ChangeRequestEntity } from '../modules/records/change-request.entity.ts';
import { GoldenRecordEntity } from '../modules/records/golden-record.entity.ts';
import { KeySequenceEntity } from '../modules/records/keys/key-sequence.entity.ts';
import { RecordKeyAliasEntity } from '../modules/records/keys/record-key-alias.entity.ts';
import { RecordMergeEntity, SurvivorshipRuleEntity } from '../modules/records/merge/record-merge.entity.ts';
import { RecordCurrentEntity } from '../modules/records/record-current.entity.ts';
import { RecordReferenceEntity } from '../modules/records/record-reference.entity.ts';
import { RecordRevisionEntity } from '../modules/records/record-revision.entity.ts';
import { RuleSeverityEntity } from '../modules/records/rule-severity.entity.ts';
import { SorRuleEntity } from '../modules/systems/sor-rule.entity.ts';
import { SystemEntity } from '../modules/systems/system.entity.ts';
import { XrefEntity } from '../modules/xref/xref.entity.ts';

export const entities = [
  ActorEntity,
  ApiTokenEntity,
  AuditEventEntity,
  AuditCheckpointEntity,
  OutboxEventEntity,
  RelayPositionEntity,
  ContractEntity,
  ContractVersionEntity,
  RegistrySettingsEntity,
  PackageVersionEntity,
  IdempotencyKeyEntity,
  GoldenRecordEntity,
  RecordRevisionEntity,
  RecordCurrentEntity,
  ChangeRequestEntity,
  BulkChangeRequestEntity,
  RecordReferenceEntity,
  RecordKeyAliasEntity,
  KeySequenceEntity,
  ApprovalPolicyEntity,
  RuleSeverityEntity,
  SystemEntity,
  SorRuleEntity,
  XrefEntity,
  ImportJobEntity,
  ImportReportRowEntity,
  ImportPendingLinkEntity,
  ReconcileJobEntity,
  ReconcileDifferenceEntity,
  RecordMergeEntity,
  SurvivorshipRuleEntity,
  MatchRuleEntity,
  MatchCandidateEntity,
  MatchJobEntity,
  SubscriptionEntity,
  ChangeAckEntity,
  PropagationStateEntity,
  PendingChangeEntity,
  SystemCursorEntity,
  IntegrationExceptionEntity,
  ExceptionCommentEntity,
  QuarantineEntity,
  ContractUsageEntity,
  ImpactPolicyEntity,
  ContractImpactEntity,
  ImpactAckEntity,
];
