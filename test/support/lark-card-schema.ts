// A whitelist of Card JSON 2.0 properties, for the fake Lark server to refuse what real Lark refuses.
//
// Sources (official Feishu docs, as mirrored in github.com/wxkingstar/doc-hub-mcp at 34b438ed,
// "feishu/001-开发指南/feishu-cards/build-card-with-json/…"):
// - 卡片 JSON 2.0 结构 (card-json-v2-structure, updated 2025-06): root, config, card_link, header,
//   body; "一张卡片最多支持 200 个元素（如 tag 为 plain_text 的文本元素）或组件"; update_multi only true.
// - 卡片 JSON 2.0 版本更新说明 (card-json-v2-breaking-changes-release-notes): "在 JSON 2.0 版本中，
//   传入不支持的属性将报错" (1.0 ignored them). 1.0 cards are therefore not whitelisted here.
// - Component pages under card-json-v2-components/: title (header), plain-text (div), rich-text
//   (markdown), divider (hr), containers/form-container (form), interactive-components/input,
//   single-select-dropdown-menu (select_static), date-picker, button, content-components/table.
//   Each component's allowed keys below are the rows of that page's 字段说明 table.
// - configure-multi-language-content: i18n_content for texts (2.0 has no global i18n_elements).
//
// Only the tags Saiwu's cards use (plus hr) are modelled. Any other tag is refused as "not modelled"
// so that a new component gets checked against its doc before it passes.

export type CardProblemKind = 'unknown-property' | 'unknown-tag' | 'bad-value' | 'too-many-elements';

export interface CardProblem {
  kind: CardProblemKind;
  /** Where, in Lark's ErrPath style: "ROOT -> body -> elements -> [1](tag: form) -> …". */
  path: string;
  detail: string;
}

export interface CardCheck {
  /** "2.0" cards are whitelisted; anything else (1.0) is only counted and size-checked by the caller. */
  schema: string;
  /** Elements and components: every object with a `tag` (text objects included, as the doc says). */
  elements: number;
  problems: CardProblem[];
}

/** The documented limit of a 2.0 card (card-json-v2-structure). */
export const MAX_CARD_ELEMENTS = 200;

type Shape =
  | { kind: 'any' }
  | { kind: 'object'; props: Record<string, Shape> }
  | { kind: 'array'; of: Shape }
  | { kind: 'components' }
  | { kind: 'enum'; values: readonly (string | number | boolean)[] }
  | { kind: 'int'; min: number; max: number };

const ANY: Shape = { kind: 'any' };
const obj = (props: Record<string, Shape>): Shape => ({ kind: 'object', props });
const arr = (of: Shape): Shape => ({ kind: 'array', of });
const oneOf = (...values: (string | number | boolean)[]): Shape => ({ kind: 'enum', values });
const int = (min: number, max: number): Shape => ({ kind: 'int', min, max });
const COMPONENTS: Shape = { kind: 'components' };

/** A text object ({tag: plain_text|lark_md, content}), as in placeholder, label, title… */
const TEXT = obj({ tag: oneOf('plain_text', 'lark_md'), content: ANY, i18n_content: ANY });
/** icon: standard_icon (token, color) or custom_icon (img_key). */
const ICON = obj({ tag: oneOf('standard_icon', 'custom_icon'), token: ANY, color: ANY, img_key: ANY });
const CONFIRM = obj({ title: TEXT, text: TEXT });
/** behaviors: callback (value) and open_url (default_url, pc_url, ios_url, android_url). */
const BEHAVIORS = arr(obj({ type: oneOf('callback', 'open_url'), value: ANY, default_url: ANY, pc_url: ANY, ios_url: ANY, android_url: ANY }));

/** Every 2.0 component takes these (card-json-v2-structure: tag, margin, element_id). */
const COMMON = { tag: ANY, element_id: ANY, margin: ANY };

const COMPONENT_PROPS: Record<string, Record<string, Shape>> = {
  // 普通文本 (plain-text.md)
  div: {
    ...COMMON, width: ANY, icon: ICON,
    text: obj({ tag: oneOf('plain_text', 'lark_md'), content: ANY, i18n_content: ANY, text_size: ANY, text_color: ANY, text_align: ANY, lines: ANY }),
  },
  // 富文本 (rich-text.md)
  markdown: { ...COMMON, text_align: ANY, text_size: ANY, icon: ICON, content: ANY, i18n_content: ANY },
  // 分割线 (divider.md)
  hr: { ...COMMON },
  // 表单容器 (form-container.md)
  form: {
    ...COMMON, name: ANY, elements: COMPONENTS, direction: ANY, padding: ANY,
    horizontal_spacing: ANY, horizontal_align: ANY, vertical_spacing: ANY, vertical_align: ANY,
  },
  // 输入框 (input.md)
  input: {
    ...COMMON, name: ANY, required: ANY, disabled: ANY, disabled_tips: TEXT, placeholder: TEXT, default_value: ANY,
    width: ANY, behaviors: BEHAVIORS, max_length: int(1, 1000), input_type: oneOf('text', 'multiline_text', 'password'),
    show_icon: ANY, rows: ANY, auto_resize: ANY, max_rows: ANY, label: TEXT, label_position: oneOf('top', 'left'),
    value: ANY, confirm: CONFIRM,
  },
  // 下拉选择-单选 (single-select-dropdown-menu.md)
  select_static: {
    ...COMMON, type: ANY, name: ANY, required: ANY, disabled: ANY, initial_option: ANY, initial_index: ANY,
    placeholder: TEXT, width: ANY, behaviors: BEHAVIORS, confirm: CONFIRM,
    options: arr(obj({ text: TEXT, icon: ICON, value: ANY })),
  },
  // 日期选择器 (date-picker.md)
  date_picker: {
    ...COMMON, name: ANY, required: ANY, disabled: ANY, placeholder: TEXT, width: ANY, behaviors: BEHAVIORS,
    initial_date: ANY, value: ANY, confirm: CONFIRM,
  },
  // 按钮 (button.md); in a form also name and form_action_type (action_type is the historical name).
  button: {
    ...COMMON, type: ANY, size: ANY, width: ANY, text: TEXT, icon: ICON, hover_tips: TEXT, disabled: ANY,
    disabled_tips: TEXT, confirm: CONFIRM, behaviors: BEHAVIORS, name: ANY,
    form_action_type: oneOf('submit', 'reset'), action_type: oneOf('form_submit', 'form_reset'),
  },
  // 表格 (table.md): page_size 1–10, at most 50 columns, data_type from the documented list.
  table: {
    ...COMMON, page_size: int(1, 10), row_height: ANY, row_max_height: ANY, freeze_first_column: ANY,
    header_style: obj({ text_align: ANY, text_size: ANY, background_style: ANY, text_color: ANY, bold: ANY, lines: ANY }),
    columns: arr(obj({
      name: ANY, display_name: ANY, width: ANY, vertical_align: ANY, horizontal_align: ANY,
      data_type: oneOf('text', 'lark_md', 'options', 'number', 'persons', 'date', 'markdown'),
      format: obj({ precision: ANY, symbol: ANY, separator: ANY }), date_format: ANY,
    })),
    rows: ANY,
  },
};

const HEADER_TEMPLATES = ['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default'] as const;

const ROOT = obj({
  schema: ANY,
  config: obj({
    streaming_mode: ANY, streaming_config: ANY, summary: obj({ content: ANY, i18n_content: ANY }), locales: ANY,
    enable_forward: ANY, update_multi: oneOf(true), width_mode: oneOf('default', 'compact', 'fill'),
    use_custom_translation: ANY, enable_forward_interaction: ANY, style: ANY,
  }),
  card_link: obj({ url: ANY, pc_url: ANY, ios_url: ANY, android_url: ANY }),
  // 标题 (title.md)
  header: obj({
    title: TEXT, subtitle: TEXT, template: oneOf(...HEADER_TEMPLATES), icon: ICON, padding: ANY,
    text_tag_list: arr(obj({ tag: ANY, element_id: ANY, text: TEXT, color: ANY })), i18n_text_tag_list: ANY,
  }),
  body: obj({
    direction: ANY, padding: ANY, horizontal_spacing: ANY, horizontal_align: ANY, vertical_spacing: ANY, vertical_align: ANY,
    elements: COMPONENTS,
  }),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function countTagged(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countTagged(x), 0);
  if (!isObject(v)) return 0;
  let n = typeof v.tag === 'string' ? 1 : 0;
  for (const [k, x] of Object.entries(v)) {
    // Callback values and table rows are data, not card elements.
    if (k === 'value' || k === 'rows') continue;
    n += countTagged(x);
  }
  return n;
}

function walk(v: unknown, shape: Shape, path: string, problems: CardProblem[]): void {
  switch (shape.kind) {
    case 'any':
      return;
    case 'enum':
      if (!shape.values.includes(v as string)) problems.push({ kind: 'bad-value', path, detail: `${JSON.stringify(v)} is not one of ${shape.values.join('|')}` });
      return;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < shape.min || v > shape.max) problems.push({ kind: 'bad-value', path, detail: `${JSON.stringify(v)} is not an integer in [${shape.min}, ${shape.max}]` });
      return;
    case 'array':
      if (!Array.isArray(v)) return void problems.push({ kind: 'bad-value', path, detail: 'expected an array' });
      v.forEach((x, i) => walk(x, shape.of, `${path} -> [${i}]`, problems));
      return;
    case 'object':
      if (!isObject(v)) return void problems.push({ kind: 'bad-value', path, detail: 'expected an object' });
      for (const [k, x] of Object.entries(v)) {
        const sub = shape.props[k];
        if (!sub) problems.push({ kind: 'unknown-property', path: `${path} -> ${k}`, detail: `unknown property "${k}"` });
        else walk(x, sub, `${path} -> ${k}`, problems);
      }
      return;
    case 'components':
      if (!Array.isArray(v)) return void problems.push({ kind: 'bad-value', path, detail: 'expected an array of components' });
      v.forEach((el, i) => {
        const tag = isObject(el) ? el.tag : undefined;
        const at = `${path} -> [${i}](tag: ${String(tag)})`;
        const props = typeof tag === 'string' ? COMPONENT_PROPS[tag] : undefined;
        if (!props) return void problems.push({ kind: 'unknown-tag', path: at, detail: `component tag ${JSON.stringify(tag)} is not modelled by the fake (check its 2.0 doc and add it to lark-card-schema.ts)` });
        walk(el, obj(props), at, problems);
      });
      return;
  }
}

/** Checks a card object (the parsed `content` of an interactive message, or a `card` field). */
export function checkCard(card: unknown): CardCheck {
  const schema = isObject(card) && typeof card.schema === 'string' ? card.schema : '1.0';
  const elements = countTagged(card);
  const problems: CardProblem[] = [];
  if (schema === '2.0') {
    walk(card, ROOT, 'ROOT', problems);
    if (elements > MAX_CARD_ELEMENTS) problems.push({ kind: 'too-many-elements', path: 'ROOT', detail: `${elements} elements/components, more than ${MAX_CARD_ELEMENTS}` });
  }
  return { schema, elements, problems };
}

/** The tags and properties the whitelist knows, for reports and for tests that want to assert on them. */
export const KNOWN_COMPONENTS: Record<string, string[]> = Object.fromEntries(Object.entries(COMPONENT_PROPS).map(([tag, p]) => [tag, Object.keys(p)]));
