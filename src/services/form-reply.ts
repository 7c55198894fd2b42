import type { FormReply } from '../core/messages.js';
import type { FormDef } from '../forms/types.js';

/** The platform-neutral form a handler returns; adapters render it as a card or an HTML form. */
export function formReply(form: FormDef, extra: { values?: Record<string, string>; errors?: Record<string, string>; planOptions?: { value: string; label: string }[]; editPlanId?: number } = {}): FormReply {
  return {
    kind: 'form',
    form: form.name,
    title: extra.editPlanId ? `${form.title}（修改 #${extra.editPlanId}）` : form.title,
    intro: form.intro,
    fields: form.fields.map((f) => ({
      key: f.key,
      label: f.label,
      type: f.type,
      required: f.required,
      ...(f.options ? { options: f.options.map((o) => ({ value: o.label, label: o.label })) } : {}),
      ...(f.type === 'boolean' ? { options: [{ value: '是', label: '是' }, { value: '否', label: '否' }] } : {}),
      ...(f.type === 'planRef' && extra.planOptions?.length ? { options: extra.planOptions } : {}),
      ...(f.example ? { example: f.example } : {}),
      ...(f.hint ? { hint: f.hint } : {}),
    })),
    ...(extra.values ? { values: extra.values } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.editPlanId ? { editPlanId: extra.editPlanId } : {}),
  };
}
