import type { App } from '../core/app.js';

/** ADMINS from the environment are admins from the first message on; their rows are created lazily. */
export async function ensureConfiguredAdmins(app: App): Promise<void> {
  for (const a of app.config.admins) {
    await app.db.member.upsert({
      where: { platform_userId: { platform: a.platform, userId: a.userId } },
      create: { platform: a.platform, userId: a.userId, name: a.userId, role: 'admin' },
      update: { role: 'admin' },
    });
  }
}
