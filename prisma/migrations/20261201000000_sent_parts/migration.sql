-- Parts of a multi-part reminder the platform took (ReminderDelivery.sentParts): a retry after a later
-- part failed does not post them again (WeCom and WeChat have no idempotency key). Written by prisma migrate diff.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ReminderDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "form" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'claimed',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "sentParts" TEXT NOT NULL DEFAULT ''
);
INSERT INTO "new_ReminderDelivery" ("attempts", "campaignId", "chatId", "createdAt", "error", "form", "id", "key", "platform", "sentAt", "stage", "status", "updatedAt") SELECT "attempts", "campaignId", "chatId", "createdAt", "error", "form", "id", "key", "platform", "sentAt", "stage", "status", "updatedAt" FROM "ReminderDelivery";
DROP TABLE "ReminderDelivery";
ALTER TABLE "new_ReminderDelivery" RENAME TO "ReminderDelivery";
CREATE UNIQUE INDEX "ReminderDelivery_key_key" ON "ReminderDelivery"("key");
CREATE INDEX "ReminderDelivery_status_idx" ON "ReminderDelivery"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

