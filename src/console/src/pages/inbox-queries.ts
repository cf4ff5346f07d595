import { graphql } from '../graphql.ts';

export const InboxQuery = graphql(`
  query Inbox(
    $first: Int
    $after: String
    $domain: String
    $site: String
    $systemCode: String
    $proposedBy: ID
    $createdBefore: DateTime
    $orderBy: ChangeRequestOrder
  ) {
    changeRequests(
      status: PENDING
      first: $first
      after: $after
      domain: $domain
      site: $site
      systemCode: $systemCode
      proposedBy: $proposedBy
      createdBefore: $createdBefore
      orderBy: $orderBy
    ) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          domain
          operation
          createdAt
          proposedById
          proposedByName
          systemCode
          requiredApprovals
          approvals { actorName }
          viewerCanApprove
          proposed
          record { key }
        }
      }
    }
    changeRequestCounts(
      status: PENDING
      site: $site
      systemCode: $systemCode
      proposedBy: $proposedBy
      createdBefore: $createdBefore
    ) {
      domain
      count
    }
    changeFeed(first: 1) { headSequence }
  }
`);

export const InboxChanges = graphql(`
  subscription InboxChanges($after: BigIntString!) {
    changes(afterSequence: $after, types: [CHANGE_REQUEST_PROPOSED, CHANGE_REQUEST_DECIDED]) {
      sequence
      type
      subjectId
    }
  }
`);

export const ApproveChanges = graphql(`
  mutation ApproveChanges($input: ApproveChangesInput!) {
    approveChanges(input: $input) {
      __typename
      ... on ApproveChangesPayload {
        decidedCount
        failedCount
        results { id changeRequest { id status proposed record { key } } error { code message } }
      }
      ... on Error { code message path }
    }
  }
`);

export const RejectChanges = graphql(`
  mutation RejectChanges($input: RejectChangesInput!) {
    rejectChanges(input: $input) {
      __typename
      ... on RejectChangesPayload {
        decidedCount
        failedCount
        results { id changeRequest { id status proposed record { key } } error { code message } }
      }
      ... on Error { code message path }
    }
  }
`);
