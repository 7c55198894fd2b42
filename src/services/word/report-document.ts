// The year-end compilation (年度劳动竞赛工作总结汇编) the federation sends upward: a Word document with a
// title, a contents list, and per reporting unit its 主要经验, 存在问题 and 意见建议 with the date filed
// and the late mark; the units that were asked and have not reported are listed at the end. Laid out
// after the official document format (GB/T 9704): A4 portrait, 仿宋 三号 body, 黑体 headings, page
// numbers at the foot. Built with the docx package.
import {
  AlignmentType, Document, Footer, HeadingLevel, LineRuleType, Packer, PageNumber, Paragraph, TextRun,
} from 'docx';
import { chineseDate, shanghaiDate } from '../../util/dates.js';

export interface ReportEntry {
  unitName: string;
  experiences: string;
  problems: string;
  suggestions: string;
  filedAt: Date;
  late: boolean;
  /** The campaign does not ask this unit for a report (its scope); it filed one anyway. */
  unasked?: boolean;
}

export interface ReportDocumentInput {
  title: string;
  /** "测试区总工会" */
  unitName: string;
  reports: ReportEntry[];
  /** Units asked for a report that have not filed one. */
  missing: string[];
  now: Date;
}

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** 1 → 一, 12 → 十二, 23 → 二十三, up to 99; beyond, digits. */
export function chineseNumber(n: number): string {
  if (n < 1 || n > 99) return String(n);
  if (n <= 10) return NUMERALS[n - 1];
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : NUMERALS[tens - 1]}十${ones ? NUMERALS[ones - 1] : ''}`;
}

const BODY = { font: '仿宋', size: 32 }; // 三号 = 16 pt (docx sizes are half-points)
const HEADING = { font: '黑体', size: 32, color: '000000' };
const SUBHEADING = { font: '楷体', size: 32, bold: true };
const LINE = { line: 560, lineRule: LineRuleType.EXACT }; // 28 pt fixed line spacing

function body(text: string): Paragraph[] {
  // The cadre's paragraphs are kept: each line of the filing is a paragraph with a first-line indent.
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((line) => new Paragraph({
    children: [new TextRun({ text: line, ...BODY })], spacing: LINE, indent: { firstLine: 640 }, alignment: AlignmentType.JUSTIFIED,
  }));
}

function heading(text: string, run: Record<string, unknown>, level?: (typeof HeadingLevel)[keyof typeof HeadingLevel], extra: Record<string, unknown> = {}): Paragraph {
  return new Paragraph({ children: [new TextRun({ text, ...run })], spacing: LINE, ...(level ? { heading: level } : {}), ...extra });
}

export async function reportDocument(input: ReportDocumentInput): Promise<Buffer> {
  const children: Paragraph[] = [
    new Paragraph({ children: [new TextRun({ text: input.title, font: '宋体', size: 44, bold: true })], alignment: AlignmentType.CENTER, spacing: { before: 480, after: 240 } }),
    new Paragraph({ children: [new TextRun({ text: `${input.unitName}　${chineseDate(shanghaiDate(input.now))}`, ...BODY })], alignment: AlignmentType.CENTER, spacing: { after: 480 } }),
    heading('目　录', HEADING, undefined, { alignment: AlignmentType.CENTER }),
  ];
  input.reports.forEach((r, i) => children.push(heading(`${chineseNumber(i + 1)}、${r.unitName}`, BODY)));
  if (input.missing.length) children.push(heading(`${chineseNumber(input.reports.length + 1)}、未提交年度报告的单位`, BODY));
  if (!input.reports.length) children.push(heading('（还没有单位提交年度报告）', BODY));

  input.reports.forEach((r, i) => {
    children.push(heading(`${chineseNumber(i + 1)}、${r.unitName}`, HEADING, HeadingLevel.HEADING_1, { pageBreakBefore: true, keepNext: true }));
    const mark = r.late ? '逾期提交' : '按时提交';
    children.push(new Paragraph({ children: [new TextRun({ text: `提交时间：${chineseDate(shanghaiDate(r.filedAt))}（${mark}）${r.unasked ? '；本竞赛不要求该单位提交年度报告，供参考' : ''}`, ...BODY, size: 28 })], spacing: LINE }));
    // A heading never ends a page with its text on the next one.
    const sub = (t: string) => heading(t, SUBHEADING, undefined, { keepNext: true });
    children.push(sub('（一）主要经验'), ...body(r.experiences));
    children.push(sub('（二）存在问题'), ...body(r.problems));
    children.push(sub('（三）意见建议'), ...body(r.suggestions));
  });
  if (input.missing.length) {
    children.push(heading(`${chineseNumber(input.reports.length + 1)}、未提交年度报告的单位`, HEADING, HeadingLevel.HEADING_1, { pageBreakBefore: true }));
    children.push(...body(`以下 ${input.missing.length} 个单位尚未提交年度报告：${input.missing.join('、')}。`));
  }

  const doc = new Document({
    creator: '赛务 Saiwu',
    title: input.title,
    styles: { default: { document: { run: { font: '仿宋', size: 32 } } } },
    sections: [{
      properties: {
        // GB/T 9704: A4, top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
        page: { size: { width: 11906, height: 16838 }, margin: { top: 2098, bottom: 1984, left: 1588, right: 1474 } },
        // The cover page (title and contents) carries no page number.
        titlePage: true,
      },
      footers: {
        first: new Footer({ children: [new Paragraph({ children: [] })] }),
        default: new Footer({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: '宋体', size: 28 })] })] }),
      },
      children,
    }],
  });
  return Packer.toBuffer(doc);
}
