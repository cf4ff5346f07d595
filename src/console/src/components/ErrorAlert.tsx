/** An API failure as the steward should see it: its code and message, never a blank screen. */
import { Alert, Code, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';

export interface ApiErrorShape {
  code: string;
  message: string;
  path?: readonly string[] | null;
}

/** The typed error of a mutation's result union (`... on Error`), or null when it succeeded. */
export function errorMember(result: unknown): ApiErrorShape | null {
  const r = result as { __typename?: string; code?: string; message?: string } | null | undefined;
  if (r && typeof r.code === 'string' && typeof r.message === 'string') return r as ApiErrorShape;
  return null;
}

/** Why a mutation did not do what was asked: its transport error, or the error member of its result. */
export function failureOf(result: { error?: CombinedError }, answer: unknown): ApiErrorShape | null {
  if (result.error) return fromCombined(result.error);
  return errorMember(answer);
}

export function fromCombined(error: CombinedError): ApiErrorShape {
  const first = error.graphQLErrors[0];
  if (first)
    return { code: String(first.extensions?.code ?? 'GRAPHQL_ERROR'), message: first.message, path: null };
  return { code: 'NETWORK_ERROR', message: error.networkError?.message ?? error.message };
}

export function ErrorAlert({
  error,
  title = 'The request failed',
  children,
}: {
  error: ApiErrorShape | CombinedError;
  title?: string;
  children?: ReactNode;
}) {
  const e = 'graphQLErrors' in error ? fromCombined(error) : error;
  return (
    <Alert color="red" title={title} role="alert" data-testid="api-error">
      <Text size="sm">
        <Code>{e.code}</Code> {e.message}
        {e.path && e.path.length > 0 ? (
          <>
            {' '}
            (at <Code>{e.path.join('.')}</Code>)
          </>
        ) : null}
      </Text>
      {children}
    </Alert>
  );
}
