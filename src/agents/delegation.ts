/**
 * The delegation desk (policies/delegation-rules.ts DelegationDesk): an approver names who also
 * approves what comes to them, until a time. One implementation for the console route and the chat
 * command; the person is always the verified caller the adapter passes, never a body field.
 */
import type { Db } from '../store/db.js';
import type { Directory } from '../store/directory.js';
import type { Principal } from '../policies/principals.js';
import { activeDelegates, delegate as storeDelegation, revokeDelegation } from '../store/delegations.js';
import { checkDelegation, mayStandIn, type DelegationDesk, type DelegationStart, type DelegationView } from '../policies/delegation-rules.js';

export interface DelegationDeskDeps {
  db: Db;
  directory: Directory;
  /** Copies of the cards that already waited on the delegator, to the delegate (the approval lifecycle). */
  shareWithDelegate(approvalIds: readonly string[], delegate: Principal, delegator: Principal): Promise<void>;
  now?: () => Date;
}

/** A directory person by id, or by a name only one active person has (case and width ignored). */
export function findPerson(directory: Directory, ref: string): Principal | undefined {
  const key = ref.normalize('NFKC').trim();
  const byId = directory.get(key) ?? directory.get(key.toLowerCase());
  if (byId) return byId;
  const named = directory.all().filter((p) => p.name.normalize('NFKC').trim().toLowerCase() === key.toLowerCase());
  return named.length === 1 ? named[0] : undefined;
}

export function createDelegationDesk(deps: DelegationDeskDeps): DelegationDesk {
  const now = deps.now ?? (() => new Date());
  return {
    async start(me, ref, until): Promise<DelegationStart> {
      const to = findPerson(deps.directory, ref);
      const refusal = checkDelegation(me, to, until, now());
      if (refusal) return { ok: false, refusal };
      const d = await storeDelegation(deps.db, {
        delegatorId: me.id,
        delegateId: to!.id,
        until: until!,
        actor: me.id,
        standsIn: (a) => mayStandIn(to!, { requesterId: a.requester_id, tool: a.tool, targetScope: a.target_scope }),
      });
      await deps.shareWithDelegate(d.shared, to!, me);
      return { ok: true, delegation: { delegate: { id: to!.id, name: to!.name }, until: d.ends_at }, pendingShared: d.shared.length };
    },
    end: (me) => revokeDelegation(deps.db, { delegatorId: me.id, actor: me.id }),
    async current(me): Promise<DelegationView | null> {
      const d = (await activeDelegates(deps.db, [me.id])).get(me.id);
      return d ? { delegate: { id: d.delegate_id, name: deps.directory.get(d.delegate_id)?.name ?? d.delegate_id }, until: d.ends_at } : null;
    },
  };
}
