import { Kind, type DocumentNode } from 'graphql';

/**
 * The operation name a request is reported under (security events, metrics). Apollo resolves
 * `operationName` only after validation; for a document it refused, take the name the client
 * sent, or the name of the document's only operation.
 */
export function reportedOperationName({
  operationName,
  request,
  document,
}: {
  operationName?: string | null | undefined;
  request: { operationName?: string | null | undefined };
  document?: DocumentNode | undefined;
}): string | undefined {
  return operationName ?? request.operationName ?? soleOperationName(document);
}

function soleOperationName(document: DocumentNode | undefined): string | undefined {
  const operations = document?.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION) ?? [];
  const only = operations.length === 1 ? operations[0] : undefined;
  return only?.kind === Kind.OPERATION_DEFINITION ? only.name?.value : undefined;
}
