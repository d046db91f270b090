/** A port's state, its optical power band and what to do next, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { localTime, regionName, t, type Text } from '../../chat/locale.js';
import type { Alarm } from '../../tools/nms/schemas.js';
import type { Port, RxBand } from '../../tools/resource/schemas.js';
import { alarmSummary } from '../alarms-list/texts.js';

const bandNames: Record<RxBand, Text> = {
  overload: { zh: '过载', en: 'overload' },
  normal: { zh: '正常', en: 'normal' },
  marginal: { zh: '临界', en: 'marginal' },
  fault: { zh: '故障', en: 'fault' },
};

const bandAdvice: Record<RxBand, Text> = {
  overload: { zh: '收光过强：检查是否缺少衰减器或尾纤过短。', en: 'Receive power too high: check for a missing attenuator.' },
  normal: { zh: '光功率正常：如用户仍无法上网，检查 ONU 与路由器配置。', en: 'Optical power is normal: if the customer is still offline, check the ONU and router.' },
  marginal: {
    zh: '光功率处于临界区间：检查皮线/尾纤连接头与分光器损耗，必要时清洁或更换连接头。',
    en: 'Optical power is marginal: check drop-cable connectors and splitter loss; clean or replace connectors.',
  },
  fault: { zh: '无收光或低于 -27 dBm：上门检查光路（断纤、弯折、ONU 掉电）。', en: 'No light or below -27 dBm: send a technician to check the fibre path (cut, bend, ONU power).' },
};

const dbm = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)} dBm`);

export function portReply(lang: Lang, port: Port, alarms: Alarm[], alarmTotal: number): string {
  const band = bandNames[port.rxBand][lang];
  const lines = [
    t(lang, { zh: `端口 ${port.olt} ${port.fsp}（${regionName(lang, port.region)}）`, en: `Port ${port.olt} ${port.fsp} (${regionName(lang, port.region)})` }),
    t(lang, { zh: `• 管理状态 ${port.adminStatus}，运行状态 ${port.operStatus}`, en: `• Admin ${port.adminStatus}, oper ${port.operStatus}` }),
    `• ONU ${port.onuId ?? '—'}${port.onuSn ? ` (SN ${port.onuSn})` : ''}`,
    t(lang, {
      zh: `• 接收光功率 ${dbm(port.rxPowerDbm)}（${band}），发送光功率 ${dbm(port.txPowerDbm)}`,
      en: `• Rx power ${dbm(port.rxPowerDbm)} (${band}), Tx power ${dbm(port.txPowerDbm)}`,
    }),
    t(lang, {
      zh: `• 最近掉线：${port.lastDownCause ?? '无记录'}${port.lastDownAt ? `，${localTime(port.lastDownAt)}` : ''}`,
      en: `• Last down: ${port.lastDownCause ?? 'none recorded'}${port.lastDownAt ? `, ${localTime(port.lastDownAt)}` : ''}`,
    }),
  ];
  lines.push(alarmSummary(lang, alarms, alarmTotal));
  lines.push(t(lang, { zh: `建议：${bandAdvice[port.rxBand].zh}`, en: `Next step: ${bandAdvice[port.rxBand].en}` }));
  return lines.join('\n');
}

export const portQuestions = {
  port: { zh: '请告诉我 OLT 名称和端口（框/槽/端口），例如：查端口 OLT-HZ-01 0/1/3', en: 'Which port? Give the OLT name and frame/slot/port, e.g. "port OLT-HZ-01 0/1/3".' },
  fsp: { zh: '请告诉我端口的框/槽/端口号，例如：查端口 OLT-HZ-01 0/1/3', en: 'Which port on that OLT? Give frame/slot/port, e.g. "port OLT-HZ-01 0/1/3".' },
};
