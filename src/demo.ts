// `npm run demo`: a populated district so a newcomer sees the bot working at once. Idempotent:
// running it twice does not duplicate anything.
import type { App } from './core/app.js';
import { text } from './core/messages.js';
import { defaultDeadlines } from './services/campaigns.js';
import { shanghaiDate } from './util/dates.js';

const DISTRICT = '示范区总工会';
const STREETS: { name: string; headcount: number; enterprises: [string, number][] }[] = [
  { name: '东城街道工会', headcount: 5200, enterprises: [['东城建设集团工会', 860], ['东城市政工程公司工会', 420], ['东城供水公司工会', 310]] },
  { name: '西城街道工会', headcount: 4100, enterprises: [['西城电力安装公司工会', 540], ['西城物流公司工会', 380], ['西城社区服务中心工会', 120]] },
  { name: '高新园区工会', headcount: 7800, enterprises: [['园区智能制造公司工会', 1500], ['园区软件公司工会', 640], ['园区新能源公司工会', 980]] },
  { name: '交通运输产业工会', headcount: 6300, enterprises: [['公交集团工会', 2100], ['地铁运营公司工会', 1800], ['出租汽车公司工会', 700]] },
];

export const DEMO_CHAT_ID = 'demo-district-group';
export const DEMO_CHAT_TITLE = '示范区劳动竞赛工作群';
/** Who the local chat page speaks as when it is first opened on a demo installation. */
export const DEMO_ADMIN = { userId: 'demo-admin', userName: '区总工会王主席' } as const;

export async function loadDemo(app: App): Promise<{ units: number; plans: number; chat: string; year: number }> {
  const db = app.db;
  const year = Number(shanghaiDate(app.now()).slice(0, 4)) + (Number(shanghaiDate(app.now()).slice(5, 7)) >= 11 ? 1 : 0);
  const district = await db.unit.upsert({ where: { name: DISTRICT }, create: { name: DISTRICT, level: 1, headcount: 23400 }, update: {} });
  const d = defaultDeadlines(year);
  const title = `${year}年度示范区职工劳动和技能竞赛`;
  const campaign = (await db.campaign.findFirst({ where: { unitId: district.id, year, title } }))
    ?? (await db.campaign.create({ data: { year, unitId: district.id, title, theme: '建功新时代 奋进新征程', planDeadline: d.plan, summaryDeadline: d.summary, reportDeadline: d.report } }));
  let unitCount = 1;
  const streetIds: number[] = [];
  for (const s of STREETS) {
    const street = await db.unit.upsert({ where: { name: s.name }, create: { name: s.name, level: 2, parentId: district.id, headcount: s.headcount }, update: {} });
    streetIds.push(street.id);
    unitCount++;
    for (const [name, headcount] of s.enterprises) {
      await db.unit.upsert({ where: { name }, create: { name, level: 3, parentId: street.id, headcount }, update: {} });
      unitCount++;
    }
  }
  await db.chatBinding.upsert({
    where: { platform_chatId: { platform: 'local', chatId: DEMO_CHAT_ID } },
    create: { platform: 'local', chatId: DEMO_CHAT_ID, topic: DEMO_CHAT_TITLE, unitId: district.id, campaignId: campaign.id, createdBy: 'demo' },
    update: {},
  });
  const people: [string, string, number, string][] = [
    [DEMO_ADMIN.userId, DEMO_ADMIN.userName, district.id, 'admin'],
    ['demo-dongcheng', '东城街道李干事', streetIds[0], 'filer'],
    ['demo-xicheng', '西城街道张干事', streetIds[1], 'filer'],
    ['demo-gaoxin', '园区工会赵干事', streetIds[2], 'filer'],
    ['demo-jiaotong', '交通产业工会刘干事', streetIds[3], 'filer'],
  ];
  for (const [userId, name, unitId, role] of people) {
    await db.member.upsert({ where: { platform_userId: { platform: 'local', userId } }, create: { platform: 'local', userId, name, unitId: role === 'admin' ? null : unitId, role }, update: {} });
  }
  // The district's key-project list: two with a competition below, one without (what /重点项目 chases).
  const keyProjects = new Map<string, number>();
  for (const [name, unitId, startDate] of [['东城快速路工程', streetIds[0], `${year}-03-01`], ['园区智能制造基地二期', streetIds[2], `${year}-04-15`], ['西城老旧小区改造', streetIds[1], null]] as const) {
    const row = await db.keyProject.upsert({
      where: { campaignId_name: { campaignId: campaign.id, name } },
      create: { campaignId: campaign.id, name, unitId, startDate, createdBy: 'demo' },
      update: {},
    });
    keyProjects.set(name, row.id);
  }
  const samples = [
    { unitId: streetIds[0], enterpriseName: '东城建设集团有限公司', project: '东城快速路工程“五比一创”劳动竞赛', organizer: '街道工会与项目部联合组织，按标段开展', participants: 320, type: 'wubiyichuang', keyProject: true, keyProjectId: keyProjects.get('东城快速路工程')!, budgetFen: 8_000_000 },
    { unitId: streetIds[0], enterpriseName: '东城供水有限公司', project: '供水管网“安康杯”安全竞赛', organizer: '企业工会组织，班组参加', participants: 150, type: 'ankangbei', keyProject: false, keyProjectId: null, budgetFen: 2_000_000 },
    { unitId: streetIds[2], enterpriseName: '园区智能制造有限公司', project: '数控技能比武', organizer: '园区工会主办，企业承办', participants: 210, type: 'skills', keyProject: true, keyProjectId: keyProjects.get('园区智能制造基地二期')!, budgetFen: 5_000_000 },
  ];
  let plans = 0;
  for (const p of samples) {
    const exists = await db.plan.findUnique({ where: { campaignId_unitId_project: { campaignId: campaign.id, unitId: p.unitId, project: p.project } } });
    if (exists) continue;
    const row = await db.plan.create({ data: { ...p, campaignId: campaign.id, startDate: `${year}-03-01`, endDate: `${year}-10-31`, filedBy: 'demo', late: false } });
    await db.revision.create({ data: { entity: 'plan', entityId: row.id, version: 1, action: 'create', actorPlatform: 'local', actorUserId: 'demo', actorName: '演示数据', newValues: JSON.stringify(p) } });
    plans++;
  }
  // A first message in the demo group: the page opens here as the admin, so say who else to be.
  const local = app.senders.get('local');
  if (local && !(await db.localChatMessage.findFirst({ where: { chatId: DEMO_CHAT_ID } }))) {
    await local.send(DEMO_CHAT_ID, [text([
      `欢迎体验${app.config.botName}！这是演示用的「${DEMO_CHAT_TITLE}」，已绑定${DISTRICT}和${year}年度竞赛。`,
      `页面打开时，您是 ${DEMO_ADMIN.userId}（${DEMO_ADMIN.userName}，管理员），试试 /单位列表、/排名、/重点项目。`,
      '换个身份说话：点最上方的“我是……”，把“我的ID”改成',
      '· demo-dongcheng（东城街道李干事，联络员），试试 /我的、/计划',
      '· demo-xicheng、demo-gaoxin、demo-jiaotong（其他街道和园区的联络员）',
      '发送 /帮助 查看全部命令。',
    ].join('\n'))], { idempotencyKey: `demo-welcome-${year}` });
  }
  return { units: unitCount, plans, chat: DEMO_CHAT_ID, year };
}
