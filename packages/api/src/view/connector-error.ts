import type { ConnectorAccount, ConnectorErrorContext, ConnectorErrorParams } from "@madoguchi/core";

/** A connector error as the admin page words it: which job failed, its code and the code's facts. */
export interface CodedError {
  context: ConnectorErrorContext | null;
  /** packages/sync's ConnectorErrorCode; null when only the English text is known. */
  code: string | null;
  params: ConnectorErrorParams;
}

/**
 * The stored last error with its code (migration 0011). A row stored before that has only the
 * English text: code null and the text as the detail, which the page shows as it is, until the
 * account's next failure stores a code.
 */
export function lastErrorCoded(a: ConnectorAccount): CodedError | null {
  if (a.lastError === null) return null;
  return {
    context: a.lastErrorContext,
    code: a.lastErrorCode,
    params: a.lastErrorParams ?? { detail: a.lastError },
  };
}
