// The export streams its large sheets: plans are read page by page (by units in tree order, a unit
// with many plans in pages of its own), kept on disk once and written row by row, the table rows
// rendered straight into the sheet's XML. None of that may change the workbook: the same database
// exported with pages of three plans, and with every row through exceljs's own Row objects, gives
// the same sheets byte for byte.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../src/store/migrate.js';
import { openDatabase, type Db } from '../src/store/client.js';
import { buildExport, EXPORT_PAGE } from '../src/services/excel/export-workbook.js';
import { FAST_ROWS } from '../src/services/excel/layout.js';
import type { Campaign, Unit } from '../src/store/models.js';

let dir: string;
let db: Db;
let root: Unit;
let street: Unit;
let campaign: Campaign;
const now = new Date('2027-10-20T10:00:00+08:00');

/** Units on three levels, some filing nothing; plans with ranges, periods, awards, key projects, a withdrawn one; text to escape. */
async function fill(): Promise<void> {
  root = await db.unit.create({ data: { name: '测试区总工会', level: 1, headcount: 50000 } });
  campaign = await db.campaign.create({ data: { year: 2027, title: '2027年度职工劳动和技能竞赛', unitId: root.id, planDeadline: '2027-02-28', summaryDeadline: '2027-10-15', reportDeadline: '2027-12-31' } });
  const streets: Unit[] = [];
  for (let i = 0; i < 4; i++) streets.push(await db.unit.create({ data: { name: `第${i + 1}街道工会`, level: 2, parentId: root.id, headcount: i === 2 ? null : 4000 + i } }));
  street = streets[1];
  const firms: Unit[] = [];
  for (let i = 0; i < 14; i++) {
    firms.push(await db.unit.create({ data: { name: i === 5 ? 'R&D “创新”中心工会 <一线>' : `第${(i % 4) + 1}街道第${i + 1}号企业工会`, level: 3, parentId: streets[i % 4].id, headcount: 100 + i * 7 } }));
  }
  const kp = await db.keyProject.create({ data: { campaignId: campaign.id, name: '快速路工程', unitId: firms[1].id, createdBy: 't', startDate: '2027-03-01' } });
  await db.keyProject.create({ data: { campaignId: campaign.id, name: '供水管网改造', unitId: firms[2].id, createdBy: 't' } });
  const organizers = ['工会与行政联合组织，按班组开展', '工会与行政联合组织，按班组开展，各项目部每月评比一次，年底总评，表彰先进集体和个人，评比结果与绩效挂钩并在全公司通报', 'A&B 联合 <组织>', '“五比一创”——班组赛…'];
  let n = 0;
  for (const [k, unit] of [...firms, streets[0]].entries()) {
    if (k % 6 === 3) continue;
    for (let j = 0; j < 1 + (k % 4); j++) {
      n++;
      const plan = await db.plan.create({
        data: {
          campaignId: campaign.id, unitId: unit.id, enterpriseName: n % 5 === 0 ? '某某建设集团第三工程有限公司城市快速路项目经理部' : `企业${k}有限公司`,
          project: `第${n}项岗位技能竞赛${n % 3 === 0 ? '（安康杯）' : ''}`, organizer: organizers[n % organizers.length], participants: 20 + n * 37,
          participantsText: n % 7 === 0 ? '100-150人' : null, startDate: '2027-03-01', endDate: n % 2 ? '2027-10-31' : '2027-12-31', periodText: n % 4 === 0 ? '3月中旬至5月中旬' : null,
          type: n % 3 === 0 ? 'skills' : 'wubi', keyProject: n % 4 === 1, keyProjectId: n === 3 ? kp.id : null, late: n % 5 === 0, filedBy: 't',
          budgetFen: n % 6 === 0 ? null : 1_000_000 + n * 12345, version: 1 + (n % 3), withdrawnAt: n === 11 ? now : null,
        },
      });
      if (n % 3 !== 2) {
        const awards = n % 4 === 0 ? [{ level: 'city', name: '市五一劳动奖状' }, { level: 'district', name: '区工人先锋号' }] : n % 5 === 0 ? [{ level: 'street', name: '' }] : [];
        await db.summary.create({ data: { planId: plan.id, actualParticipants: 18 + n * 35, expenditureFen: 500_000 + n * 101, awardLevel: n % 4 === 0 ? 'city' : 'none', awards: JSON.stringify(awards), late: n % 4 === 1, filedBy: 't' } });
      }
      if (n % 2) await db.revision.create({ data: { entity: 'plan', entityId: plan.id, action: 'create', version: 1, actorPlatform: 'local', actorUserId: 't', actorName: 't', newValues: '{}', createdAt: new Date(Date.UTC(2027, 1, 10) + n * 3_600_000) } });
    }
  }
  await db.member.create({ data: { platform: 'local', userId: 'f1', name: '张三', unitId: firms[0].id } });
  await db.yearReport.create({ data: { campaignId: campaign.id, unitId: streets[1].id, experiences: '经验', problems: '问题', suggestions: '建议', filedBy: 't' } });
}

/** Every part of the file but docProps/core.xml (which holds no sheet) as text, by name. */
async function parts(data: Buffer): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(data);
  const out: Record<string, string> = {};
  for (const name of Object.keys(zip.files).sort()) if (!zip.files[name].dir && !name.endsWith('core.xml')) out[name] = await zip.files[name].async('string');
  return out;
}

async function exportParts(unit: Unit, what: 'all' | 'plan' | 'summary'): Promise<Record<string, string>> {
  return parts((await buildExport(db, campaign, unit, { what, now })).data);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saiwu-export-stream-'));
  const url = `file:${path.join(dir, 'saiwu.db')}`;
  await migrateDatabase(url);
  db = openDatabase(url);
  await fill();
});

afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the streamed export', () => {
  it('writes the same workbook whatever the page size', async () => {
    const whole = { all: await exportParts(root, 'all'), plan: await exportParts(root, 'plan'), street: await exportParts(street, 'all') };
    const saved = { ...EXPORT_PAGE };
    // Three plans a page, two units a batch: units with four plans are read in pages of their own.
    Object.assign(EXPORT_PAGE, { rows: 3, units: 2 });
    try {
      expect(await exportParts(root, 'all')).toEqual(whole.all);
      expect(await exportParts(root, 'plan')).toEqual(whole.plan);
      expect(await exportParts(street, 'all')).toEqual(whole.street);
    } finally {
      Object.assign(EXPORT_PAGE, saved);
    }
    // The 计划表 lists every active plan once, unit by unit (the street's enterprises after it).
    expect(whole.all['xl/worksheets/sheet1.xml'].match(/<row /g)).toHaveLength(3 + 29 + 1 + 1);
  });

  it('renders table rows exactly as exceljs would', async () => {
    const fast = await exportParts(root, 'all');
    FAST_ROWS.enabled = false;
    try {
      expect(await exportParts(root, 'all')).toEqual(fast);
    } finally {
      FAST_ROWS.enabled = true;
    }
  });

  it('leaves nothing on disk', async () => {
    // The plans are kept in the temporary folder while the sheets are written, then removed.
    const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      expect(os.tmpdir()).toBe(tmp);
      await exportParts(root, 'all');
    } finally {
      process.env.TMPDIR = saved;
      if (saved === undefined) delete process.env.TMPDIR;
    }
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
