// Competition leaderboards (e.g. a 五比一创 contest between project teams): criteria with weights,
// scores per team per criterion, and every change kept in Revision with who made it.
import type { Db } from '../store/client.js';
import type { Competition } from '../store/models.js';

export interface Criterion {
  name: string;
  weight: number;
}

export function criteriaOf(c: Competition): Criterion[] {
  try {
    const parsed = JSON.parse(c.criteria) as unknown;
    return Array.isArray(parsed) ? parsed.filter((x): x is Criterion => typeof x?.name === 'string' && typeof x?.weight === 'number') : [];
  } catch {
    return [];
  }
}

export function describeCriteria(criteria: Criterion[]): string {
  return criteria.map((c) => `${c.name}（权重${c.weight}）`).join('、');
}

export interface Actor {
  platform: string;
  userId: string;
  userName: string;
  eventId: string;
}

export interface ScoreChange {
  criterion: string;
  value: number;
  previous: number | null;
}

/** Writes the given scores for one team in one transaction, one revision per changed score. */
export async function recordScores(db: Db, competition: Competition, team: string, values: { criterion: string; value: number }[], actor: Actor, at: Date): Promise<ScoreChange[]> {
  return db.$transaction(async (tx) => {
    const changes: ScoreChange[] = [];
    for (const { criterion, value } of values) {
      const key = { competitionId: competition.id, team, criterion };
      const existing = await tx.score.findUnique({ where: { competitionId_team_criterion: key } });
      if (existing && existing.value === value) continue;
      const row = existing
        ? await tx.score.update({ where: { id: existing.id }, data: { value, version: { increment: 1 }, filedBy: actor.userName } })
        : await tx.score.create({ data: { ...key, value, filedBy: actor.userName } });
      await tx.revision.create({
        data: {
          entity: 'score', entityId: row.id, version: row.version, action: existing ? 'update' : 'create',
          actorPlatform: actor.platform, actorUserId: actor.userId, actorName: actor.userName, sourceMessageId: actor.eventId,
          previousValues: existing ? JSON.stringify({ competition: competition.name, team, criterion, value: existing.value }) : null,
          newValues: JSON.stringify({ competition: competition.name, team, criterion, value }), createdAt: at,
        },
      });
      changes.push({ criterion, value, previous: existing?.value ?? null });
    }
    return changes;
  });
}

export interface BoardRow {
  rank: number;
  team: string;
  /** Per criterion, in criteria order; null when not scored yet. */
  values: (number | null)[];
  /** Weighted average: Σ(score × weight) ÷ Σ(weight); unscored criteria count as 0. */
  total: number;
}

export async function leaderboard(db: Db, competition: Competition): Promise<{ criteria: Criterion[]; rows: BoardRow[] }> {
  const criteria = criteriaOf(competition);
  const scores = await db.score.findMany({ where: { competitionId: competition.id }, orderBy: { id: 'asc' } });
  const byTeam = new Map<string, Map<string, number>>();
  for (const s of scores) {
    const m = byTeam.get(s.team) ?? new Map<string, number>();
    m.set(s.criterion, s.value);
    byTeam.set(s.team, m);
  }
  const weightSum = criteria.reduce((a, c) => a + c.weight, 0) || 1;
  const rows: BoardRow[] = [...byTeam].map(([team, m]) => {
    const values = criteria.map((c) => m.get(c.name) ?? null);
    const total = Math.round((criteria.reduce((a, c, i) => a + (values[i] ?? 0) * c.weight, 0) / weightSum) * 100) / 100;
    return { rank: 0, team, values, total };
  });
  rows.sort((a, b) => b.total - a.total || a.team.localeCompare(b.team, 'zh-CN'));
  rows.forEach((r, i) => (r.rank = i > 0 && rows[i - 1].total === r.total ? rows[i - 1].rank : i + 1));
  return { criteria, rows };
}
