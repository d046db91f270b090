/** What acknowledging an alarm says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { alarmTypeName, t, type Text } from '../../chat/locale.js';
import type { Alarm } from '../../tools/nms/schemas.js';

export const ackTexts = {
  title: (lang: Lang, a: Alarm) => t(lang, { zh: `确认告警 ${a.id}（${alarmTypeName('zh', a.type)}，${a.ne} ${a.object}）`, en: `Acknowledge alarm ${a.id} (${a.type}, ${a.ne} ${a.object})` }),
  alreadyAcknowledged: (lang: Lang, a: Alarm) =>
    t(lang, {
      zh: `告警 ${a.id}（${alarmTypeName('zh', a.type)}，${a.ne} ${a.object}）已被确认，无需再次确认。`,
      en: `Alarm ${a.id} (${a.type}, ${a.ne} ${a.object}) is already acknowledged; nothing to do.`,
    }),
  whichAlarm: { zh: '请告诉我告警编号，例如：确认告警 ALM900001 已通知装维', en: 'Which alarm? Give its id, e.g. "ack alarm ALM900001".' } satisfies Text,
  noteTooLong: { zh: '告警确认备注最多 200 字，请精简后再发。', en: 'An acknowledgement note can be at most 200 characters; please shorten it.' } satisfies Text,
};
