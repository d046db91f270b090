/** How active alarms read, in both languages (also part of a port's answer). */
import type { Lang } from '../../chat/lang.js';
import { alarmTypeName, localTime, severityName, t } from '../../chat/locale.js';
import type { Alarm } from '../../tools/nms/schemas.js';

export function alarmSummary(lang: Lang, alarms: Alarm[], total: number, scope?: string): string {
  if (alarms.length === 0) {
    return t(lang, { zh: `${scope ? `${scope} ` : ''}无活动告警。`, en: `${scope ? `${scope}: ` : ''}No active alarms.` });
  }
  const head = t(lang, {
    zh: `${scope ? `${scope} ` : ''}活动告警 ${total} 条${total > alarms.length ? `（显示前 ${alarms.length} 条）` : ''}：`,
    en: `${scope ? `${scope}: ` : ''}${total} active alarm${total === 1 ? '' : 's'}${total > alarms.length ? ` (first ${alarms.length} shown)` : ''}:`,
  });
  const rows = alarms.map(
    (a) =>
      `• [${severityName(lang, a.severity)}] ${alarmTypeName(lang, a.type)} — ${a.object}, ${localTime(a.raisedAt)}${a.serviceAffecting ? t(lang, { zh: '，影响业务', en: ', service affecting' }) : ''} (${a.id})`,
  );
  return [head, ...rows].join('\n');
}

export const alarmQuestions = {
  ne: { zh: '请告诉我网元（OLT）名称，例如：查告警 OLT-HZ-01', en: 'Which network element? e.g. "alarms OLT-HZ-01".' },
};
