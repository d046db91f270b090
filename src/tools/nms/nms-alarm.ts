/**
 * nms.getAlarm and nms.acknowledgeAlarm on the NMS (网管). The acknowledgement goes through the
 * portal's form and confirm step with the approval id as idempotency key: an alarm acknowledged
 * under our own key is "already applied", one acknowledged otherwise (by hand, or another approval)
 * is stale state, as is an alarm whose cleared/active state is not what the approver saw.
 */
import type { Page } from 'playwright-core';
import { defineTool, type CardLineOut, type ToolContext } from '../define.js';
import { gotoPage } from '../browser-pool.js';
import { BusinessError, SystemError } from '../errors.js';
import { acknowledgeAlarmInput, acknowledgeAlarmOutput, getAlarmInput, getAlarmOutput, severitySchema } from './schemas.js';
import type { z } from 'zod';
import { pageResult, readKeyValues, yes } from '../portal/page-reading.js';
import { confirmAndRead, exact, exactOrNull, fillAndSubmit } from '../portal/form-flow.js';

const SYSTEM = 'nms';
type AlarmDetail = z.infer<typeof getAlarmOutput> & { idempotencyKey: string | null };

async function readAlarm(page: Page, base: string, alarmId: string, ctx: ToolContext): Promise<AlarmDetail> {
  ctx.step('open alarm', { alarmId });
  await gotoPage(page, `${base}/alarms/${encodeURIComponent(alarmId)}`, SYSTEM);
  if ((await pageResult(page))?.result === 'not_found') {
    throw new BusinessError('not_found', `Alarm ${alarmId} does not exist`, { zh: `网管中没有告警 ${alarmId}` });
  }
  const kv = await readKeyValues(page);
  const v = (label: string) => exactOrNull(kv, label, SYSTEM);
  const severity = severitySchema.safeParse(exact(kv, 'Severity', SYSTEM).toLowerCase());
  if (!severity.success) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unknown severity on alarm ${alarmId}`);
  return {
    id: exact(kv, 'Alarm ID', SYSTEM),
    severity: severity.data,
    ne: exact(kv, 'NE', SYSTEM),
    object: exact(kv, 'Object', SYSTEM),
    type: exact(kv, 'Type', SYSTEM),
    probableCause: exact(kv, 'Probable cause', SYSTEM),
    raisedAt: exact(kv, 'Raised', SYSTEM),
    clearedAt: v('Cleared'),
    acknowledged: yes(exact(kv, 'Acknowledged', SYSTEM)),
    serviceAffecting: yes(exact(kv, 'Service affecting', SYSTEM)),
    acknowledgedBy: v('Acknowledged by'),
    acknowledgedAt: v('Acknowledged at'),
    ackNote: v('Ack note'),
    idempotencyKey: v('Idempotency key'),
  };
}

export const getAlarm = defineTool({
  name: 'nms.getAlarm',
  effect: 'read',
  system: 'nms',
  description: '按告警ID查询告警详情（含确认信息）。Read one alarm by id, with who acknowledged it and when.',
  input: getAlarmInput,
  output: getAlarmOutput,
  scope: { input: [], output: [{ path: 'ne', kind: 'region', via: 'oltRegion' }] },
  async run(input, ctx) {
    return ctx.withPage('nms', async (page, base) => {
      const { idempotencyKey: _key, ...alarm } = await readAlarm(page, base, input.alarmId, ctx);
      return alarm;
    });
  },
});

export const acknowledgeAlarm = defineTool({
  name: 'nms.acknowledgeAlarm',
  effect: 'write',
  system: 'nms',
  description:
    '确认网管告警（需主管审批）。Acknowledge an NMS alarm (needs a manager\'s approval); refuses if it was acknowledged or cleared/raised again since the approval.',
  input: acknowledgeAlarmInput,
  output: acknowledgeAlarmOutput,
  scope: { input: [{ path: 'alarmId', kind: 'region', via: 'alarmRegion' }], output: [] },
  async run(input, ctx) {
    const key = ctx.idempotencyKey;
    return ctx.withPage('nms', async (page, base) => {
      const before = await readAlarm(page, base, input.alarmId, ctx);
      if (before.acknowledged && before.idempotencyKey === key) {
        ctx.step('alarm acknowledged under our key already');
        return { alarmId: before.id, acknowledged: true, acknowledgedBy: before.acknowledgedBy, acknowledgedAt: before.acknowledgedAt, alreadyApplied: true };
      }
      if (before.acknowledged) {
        throw new BusinessError('stale_state', `Alarm ${before.id} was acknowledged since it was approved`, {
          zh: `告警 ${before.id} 在审批后已被确认${before.acknowledgedBy ? `（${before.acknowledgedBy}）` : ''}，未重复确认`,
          fields: ['acknowledged'],
        });
      }
      const cleared = before.clearedAt !== null;
      if (cleared !== input.expected.cleared) {
        throw new BusinessError('stale_state', `Alarm ${before.id} is ${cleared ? 'cleared' : 'active'} now, not as approved`, {
          zh: `告警 ${before.id} 在审批后已${cleared ? '清除' : '重新变为活动'}，未确认`,
          fields: ['cleared'],
        });
      }
      ctx.step('open acknowledge form');
      await gotoPage(page, `${base}/alarms/${encodeURIComponent(before.id)}/ack`, SYSTEM);
      const formOutcome = await fillAndSubmit(
        page,
        [
          { label: 'Ack note', value: input.note ?? '' },
          { label: 'Idempotency key', value: key },
        ],
        'NMS',
        '网管',
      );
      if (formOutcome?.result === 'conflict') throw new BusinessError('stale_state', `Alarm ${before.id} was acknowledged by someone else`, { zh: `告警 ${before.id} 已被他人确认` });
      ctx.step('confirm acknowledgement');
      const out = await confirmAndRead(page, /Confirm acknowledgement/i, '/ack/confirm', SYSTEM);
      switch (out.result) {
        case 'saved':
        case 'already_applied':
          ctx.step(out.result);
          return {
            alarmId: before.id,
            acknowledged: yes(exact(out.kv, 'Acknowledged', SYSTEM)),
            acknowledgedBy: exactOrNull(out.kv, 'Acknowledged by', SYSTEM),
            acknowledgedAt: exactOrNull(out.kv, 'Acknowledged at', SYSTEM),
            alreadyApplied: out.result === 'already_applied',
          };
        case 'conflict':
          throw new BusinessError('stale_state', `Alarm ${before.id} was acknowledged by someone else while saving`, { zh: `保存时告警 ${before.id} 已被他人确认` });
        default:
          throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unexpected result after acknowledging (${out.result || 'none'}: ${out.text})`);
      }
    });
  },
  async verify(input, _output, ctx) {
    return ctx.withPage('nms', async (page, base) => {
      const a = await readAlarm(page, base, input.alarmId, ctx);
      const ours = a.acknowledged && (!ctx.idempotencyKey || a.idempotencyKey === ctx.idempotencyKey);
      return {
        ok: ours,
        lines: [
          { label: 'Alarm', value: a.id, zh: { label: '告警', value: a.id } },
          {
            label: 'Acknowledged',
            value: ours ? `${a.acknowledgedBy ?? ''} ${a.acknowledgedAt ?? ''} ✓`.trim() : a.acknowledged ? 'acknowledged under another key' : 'not acknowledged',
            zh: { label: '确认', value: ours ? `${a.acknowledgedBy ?? ''} ${a.acknowledgedAt ?? ''} ✓`.trim() : a.acknowledged ? '已被另一审批确认' : '未确认' },
          },
        ],
      };
    });
  },
  summarize(input, lang) {
    const zh = lang === 'zh';
    const lines: CardLineOut[] = [
      { label: zh ? '告警' : 'Alarm', value: input.alarmId },
      { label: zh ? '告警状态' : 'Alarm state', value: input.expected.cleared ? (zh ? '已清除' : 'cleared') : zh ? '活动' : 'active' },
      // The change itself, current → new (the guard read it unacknowledged).
      { label: zh ? '确认状态' : 'Acknowledged', value: zh ? '已确认' : 'yes', current: zh ? '未确认' : 'no', key: 'acknowledged' },
    ];
    if (input.note) lines.push({ label: zh ? '备注' : 'Note', value: input.note, key: 'note' });
    return lines;
  },
});
