/**
 * A zod schema of the Feishu card JSON 2.0 parts Switchboard uses (card JSON 2.0 structure,
 * components: div, hr, form, input, column_set, column, button). Strict objects: an unknown or
 * misspelt property fails here instead of rendering as an empty card in the client. It also checks
 * the rules Feishu enforces on forms: a form only at the root, unique names inside it, every
 * button in a form a named submit button.
 */
import { z } from 'zod';

const plainText = z.strictObject({
  tag: z.literal('plain_text'),
  content: z.string().min(1),
  text_color: z.enum(['default', 'grey', 'green', 'red', 'orange', 'blue']).optional(),
  text_size: z.enum(['normal', 'heading', 'notation']).optional(),
});

const color = z.enum(['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default']);

const div = z.strictObject({ tag: z.literal('div'), text: plainText, element_id: z.string().max(20).optional() });
const hr = z.strictObject({ tag: z.literal('hr') });

const callbackBehavior = z.strictObject({
  type: z.literal('callback'),
  // The value carries the opaque approval id, or a suggested command's text, and nothing else
  // (identity always comes from the callback's operator).
  value: z.union([z.strictObject({ approvalId: z.string().min(1) }), z.strictObject({ command: z.string().min(1).max(200) })]),
});

const button = z.strictObject({
  tag: z.literal('button'),
  name: z.string().min(1).optional(),
  text: plainText,
  type: z.enum(['default', 'primary', 'danger', 'text', 'primary_text', 'danger_text', 'primary_filled', 'danger_filled', 'laser']).optional(),
  width: z.enum(['default', 'fill']).optional(),
  form_action_type: z.enum(['submit', 'reset']).optional(),
  behaviors: z.array(callbackBehavior).min(1),
});

const input = z.strictObject({
  tag: z.literal('input'),
  name: z.string().min(1),
  label: plainText.optional(),
  label_position: z.enum(['top', 'left']).optional(),
  placeholder: plainText.optional(),
  max_length: z.number().int().min(1).max(1000).optional(),
  required: z.boolean().optional(),
  width: z.enum(['default', 'fill']).optional(),
});

const column = z.strictObject({
  tag: z.literal('column'),
  width: z.union([z.enum(['auto', 'weighted']), z.string().regex(/^\d+px$/)]).optional(),
  elements: z.array(z.union([div, button])).min(1),
});

const columnSet = z.strictObject({
  tag: z.literal('column_set'),
  horizontal_spacing: z.enum(['small', 'medium', 'large', 'default']).optional(),
  columns: z.array(column).min(1),
});

const form = z
  .strictObject({
    tag: z.literal('form'),
    name: z.string().min(1),
    elements: z.array(z.union([div, hr, input, columnSet, button])).min(1),
  })
  .superRefine((f, ctx) => {
    const names: string[] = [];
    const buttons: z.infer<typeof button>[] = [];
    for (const el of f.elements) {
      if (el.tag === 'input') names.push(el.name);
      if (el.tag === 'button') buttons.push(el);
      if (el.tag === 'column_set') for (const c of el.columns) for (const e of c.elements) if (e.tag === 'button') buttons.push(e);
    }
    for (const b of buttons) {
      if (!b.name) ctx.addIssue({ code: 'custom', message: 'a button inside a form needs a name' });
      else names.push(b.name);
    }
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: `names inside a form must be unique: ${names.join(', ')}` });
    if (!buttons.some((b) => b.form_action_type === 'submit')) ctx.addIssue({ code: 'custom', message: 'a form needs a submit button' });
  });

export const feishuCardSchema = z.strictObject({
  schema: z.literal('2.0'),
  config: z.strictObject({
    update_multi: z.literal(true),
    width_mode: z.enum(['compact', 'fill', 'default']).optional(),
    summary: z.strictObject({ content: z.string() }).optional(),
  }),
  header: z.strictObject({
    title: plainText,
    subtitle: plainText.optional(),
    template: color.optional(),
    text_tag_list: z
      .array(z.strictObject({ tag: z.literal('text_tag'), text: plainText, color: z.enum(['neutral', 'blue', 'turquoise', 'lime', 'orange', 'violet', 'indigo', 'wathet', 'green', 'yellow', 'red', 'purple', 'carmine']) }))
      .max(3)
      .optional(),
  }),
  body: z.strictObject({
    // Forms only at the root; buttons directly in elements or inside columns.
    elements: z.array(z.union([div, hr, form, columnSet, button])).min(1).max(200),
  }),
});
export type FeishuCard = z.infer<typeof feishuCardSchema>;

/** Every plain_text string of a card, in order: what a person reads on it. */
export function cardPlainTexts(card: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.tag === 'plain_text' && typeof o.content === 'string') out.push(o.content);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}
