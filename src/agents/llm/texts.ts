/** What the bot says about the free-form path itself, in both languages. */
import type { Lang } from '../../chat/lang.js';

const t = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

export const freeFormText = {
  noLlm: (lang: Lang) =>
    t(
      lang,
      '提示：自由表述的请求需要接入大模型（LLM），当前未配置，只能识别命令。',
      'Note: free-form requests need an LLM, and none is configured; only commands are understood for now.',
    ),
  providerDown: (lang: Lang) =>
    t(lang, '大模型服务暂时不可用，已切换为命令模式。', 'The LLM service is not available right now; switched to command mode.'),
  limit: (lang: Lang, calls: number, tools: number) =>
    t(
      lang,
      `这个请求超出了单次处理的上限（最多 ${calls} 次模型调用、${tools} 次系统查询），已停止。请把问题拆小，或直接用命令，例如：查端口 OLT-HZ-01 0/1/3`,
      `This request went past the per-request limit (at most ${calls} model calls and ${tools} system lookups), so I stopped. Please split it up, or use a command such as "port OLT-HZ-01 0/1/3".`,
    ),
  budget: (lang: Lang) =>
    t(
      lang,
      '这个请求超出了单次处理的用量预算，已停止。请把问题拆小，或直接用命令，例如：查端口 OLT-HZ-01 0/1/3',
      'This request went past the per-request token budget, so I stopped. Please split it up, or use a command such as "port OLT-HZ-01 0/1/3".',
    ),
  timeout: (lang: Lang, seconds: number) =>
    t(
      lang,
      `这个请求处理超过了 ${seconds} 秒的上限，已停止。请稍后重试，或直接用命令，例如：查端口 OLT-HZ-01 0/1/3`,
      `This request took longer than the ${seconds} s limit, so I stopped. Please try again, or use a command such as "port OLT-HZ-01 0/1/3".`,
    ),
};
