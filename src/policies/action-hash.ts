/**
 * The action hash binds an approval to exactly one write: tool, input, requester and thread.
 * What is executed is hashed again and must match what the approver saw.
 */
import { canonicalJson, sha256Hex } from '../lib/canonical-json.js';

export interface ActionIdentity {
  tool: string;
  input: unknown;
  requesterId: string;
  threadId: string;
}

export function actionHash(action: ActionIdentity): string {
  return sha256Hex(
    canonicalJson({ tool: action.tool, input: action.input, requester: action.requesterId, thread: action.threadId }),
  );
}
