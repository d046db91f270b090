/** What dispatching a work order says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { listOf, regionName, t, type Text } from '../../chat/locale.js';
import type { DirectoryRefusal } from './directory.js';

export const MAX_DISPATCH_NOTE = 200;
const example = { zh: '派单 T20261124-0012 杭州装维一组 P2 明天上午9点到11点', en: '"dispatch T20261124-0012 to HZ install team 1 P2 tomorrow 9-11am"' };

export const dispatchTexts = {
  title: (lang: Lang, ticketId: string, to: string) => t(lang, { zh: `派单 ${ticketId} → ${to}`, en: `Dispatch ${ticketId} to ${to}` }),
  /** The window already started by the operator-local clock: the ticket system would refuse it. */
  windowStarted: (start: string, now: string): Text => ({
    zh: `预约开始时间已过（${start}，现在是 ${now}），未提交审批。请给一个之后的时段，例如明天 09:00-11:00。`,
    en: `The appointment window has already started (${start}; it is now ${now}), so nothing was sent for approval. Give a later window, e.g. tomorrow 09:00-11:00.`,
  }),
  windowTooLong: (hours: number): Text => ({
    zh: `预约时段不能超过 ${hours} 小时（工单系统的规定），未提交审批。`,
    en: `An appointment window can be at most ${hours} hours (the ticket system's rule); nothing was sent for approval.`,
  }),
  ticketClosed: (ticketId: string): Text => ({
    zh: `工单 ${ticketId} 已关闭，不能派单，未提交审批。`,
    en: `Ticket ${ticketId} is closed, so no work order can be dispatched; nothing was sent for approval.`,
  }),
  /**
   * The team or engineer is not what the directory has for the ticket's region: what is wrong,
   * that nothing was sent, and the nearest names of that region ("did you mean …?").
   */
  assignee: (r: DirectoryRefusal, ticketRegion: string | null): Text => {
    const zhR = regionName('zh', ticketRegion);
    const enR = regionName('en', ticketRegion);
    const s = r.suggest;
    const zhS = s.names.length === 0 ? '' : s.close ? `是不是要派给 ${listOf('zh', s.names)}？` : `可选：${listOf('zh', s.names)}。`;
    const enS = s.names.length === 0 ? '' : s.close ? `Did you mean ${listOf('en', s.names)}?` : `You can choose: ${listOf('en', s.names)}.`;
    const none = { zh: '未提交审批。', en: 'nothing was sent for approval.' };
    switch (r.reason) {
      case 'team_unknown':
        return { zh: `工单系统的班组目录中${zhR}没有班组「${r.team}」，${none.zh}${zhS}`, en: `The ticket system's directory has no team "${r.team}" in ${enR}; ${none.en} ${enS}`.trim() };
      case 'team_other_region':
        return {
          zh: `班组 ${r.team.name} 属于${regionName('zh', r.team.region)}，工单在${zhR}，${none.zh}${zhS}`,
          en: `Team ${r.team.name} serves ${regionName('en', r.team.region)}, the ticket is in ${enR}; ${none.en} ${enS}`.trim(),
        };
      case 'engineer_unknown':
        return { zh: `工单系统的班组目录中${zhR}没有工程师「${r.engineer}」，${none.zh}${zhS}`, en: `The ticket system's directory has no engineer "${r.engineer}" in ${enR}; ${none.en} ${enS}`.trim() };
      case 'assignee_unknown':
        return { zh: `工单系统的班组目录中${zhR}没有班组或工程师「${r.engineer}」，${none.zh}${zhS}`, en: `The ticket system's directory has no team or engineer "${r.engineer}" in ${enR}; ${none.en} ${enS}`.trim() };
      case 'engineer_other_region':
        return {
          zh: `工程师 ${r.engineer} 属于${regionName('zh', r.team.region)}的 ${r.team.name}，工单在${zhR}，${none.zh}${zhS}`,
          en: `Engineer ${r.engineer} is in ${r.team.name} (${regionName('en', r.team.region)}), the ticket is in ${enR}; ${none.en} ${enS}`.trim(),
        };
      case 'engineer_not_in_team':
        return {
          zh: `工程师 ${r.engineer} 属于 ${r.engineersTeam.name}，不在 ${r.team.name}，${none.zh}${s.names.length ? `${r.team.name} 的工程师：${listOf('zh', s.names)}。` : ''}`,
          en: `Engineer ${r.engineer} is in ${r.engineersTeam.name}, not in ${r.team.name}; ${none.en}${s.names.length ? ` ${r.team.name}'s engineers: ${listOf('en', s.names)}.` : ''}`,
        };
    }
  },
  /** A card line: the directory could not be read for the requester, so the portal checks at save time. */
  teamsNotChecked: (lang: Lang) => t(lang, { zh: '班组和工程师未能与班组目录核对（无权查询），将由工单系统在派单时校验', en: 'the team and engineer could not be checked against the team directory (no permission to read it); the ticket system checks them when dispatching' }),
  /** A card line: the ticket has a work order still open. */
  alreadyDispatched: (lang: Lang, w: { id: string; status: string; team: string | null; engineer: string | null; appointmentStart: string | null; appointmentEnd: string | null }) => {
    const who = [w.team, w.engineer].filter(Boolean).join(' / ') || '—';
    const when = w.appointmentStart ? `${w.appointmentStart} – ${w.appointmentEnd ?? ''}` : '—';
    return t(lang, { zh: `该工单已有未完成的派工单 ${w.id}（${w.status}，${who}，${when}）`, en: `the ticket already has an open work order ${w.id} (${w.status}, ${who}, ${when})` });
  },
  notChecked: (lang: Lang) => t(lang, { zh: '未能核对该工单已有的派工单（无权查询）', en: 'the ticket\'s existing work orders could not be checked (no permission to read them)' }),
  questions: {
    ticket: { zh: `请告诉我工单号，例如：${example.zh}`, en: `Which ticket? e.g. ${example.en}.` },
    assignee: { zh: `请告诉我派给哪个班组或工程师，例如：${example.zh}`, en: `To which team or engineer? e.g. ${example.en}.` },
    priority: { zh: `请告诉我优先级（P1-P4），例如：${example.zh}`, en: `Which priority (P1-P4)? e.g. ${example.en}.` },
    window: { zh: `请告诉我预约日期和时段，例如：${example.zh}`, en: `When? Give the date and time window, e.g. ${example.en}.` },
    windowOrder: { zh: '预约时段的结束时间必须晚于开始时间，例如 09:00-11:00。', en: 'The window must end after it starts, e.g. 09:00-11:00.' },
    noteTooLong: { zh: `派单备注最多 ${MAX_DISPATCH_NOTE} 字，请精简后再发。`, en: `A dispatch note can be at most ${MAX_DISPATCH_NOTE} characters; please shorten it.` },
  } satisfies Record<string, Text>,
};
