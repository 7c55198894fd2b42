import type { FormReply } from '../core/messages.js';
import type { FieldDef, FormDef } from '../forms/types.js';

type Option = { value: string; label: string };
const YES_NO: Option[] = [{ value: '是', label: '是' }, { value: '否', label: '否' }];

/** The choices a field offers: its own options, 是/否, the unit's plans, the campaign's key projects. */
function optionsOf(f: FieldDef, extra: { planOptions?: Option[]; keyProjectOptions?: Option[] }): Option[] | undefined {
  if (f.options) return f.options.map((o) => ({ value: o.label, label: o.label }));
  if (f.type === 'boolean') return YES_NO;
  if (f.type === 'planRef' && extra.planOptions?.length) return extra.planOptions;
  // The campaign's key projects by name (see services/key-projects.ts); 是/否 while it lists none; none
  // (a text field) when the list is too long for a select.
  if (f.type === 'keyProjectRef') return (extra.keyProjectOptions ?? YES_NO).length ? extra.keyProjectOptions ?? YES_NO : undefined;
  return undefined;
}

/** The platform-neutral form a handler returns; adapters render it as a card or an HTML form. */
export function formReply(form: FormDef, extra: { values?: Record<string, string>; errors?: Record<string, string>; planOptions?: Option[]; keyProjectOptions?: Option[]; editPlanId?: number } = {}): FormReply {
  return {
    kind: 'form',
    form: form.name,
    title: extra.editPlanId ? `${form.title}（修改 #${extra.editPlanId}）` : form.title,
    intro: form.intro,
    fields: form.fields.map((f) => {
      let options = optionsOf(f, extra);
      // A form sent back with what was chosen keeps that choice selectable, even when this reply does
      // not know the list it came from (a refusal rebuilt by an adapter).
      const chosen = extra.values?.[f.key];
      if (options && chosen && !options.some((o) => o.value === chosen)) options = [...options, { value: chosen, label: chosen }];
      return {
        key: f.key,
        label: f.label,
        type: f.type,
        required: f.required,
        ...(options ? { options } : {}),
        ...(f.example ? { example: f.example } : {}),
        ...(f.hint ? { hint: f.hint } : {}),
      };
    }),
    ...(extra.values ? { values: extra.values } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.editPlanId ? { editPlanId: extra.editPlanId } : {}),
  };
}
