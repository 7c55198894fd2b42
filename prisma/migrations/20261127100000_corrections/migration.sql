-- AlterTable
ALTER TABLE "Unit" ADD COLUMN "archivedAt" DATETIME;
ALTER TABLE "Unit" ADD COLUMN "contactName" TEXT;
ALTER TABLE "Unit" ADD COLUMN "contactPhone" TEXT;

-- AlterTable
ALTER TABLE "Plan" ADD COLUMN "withdrawnAt" DATETIME;

-- AlterTable
ALTER TABLE "ProgressUpdate" ADD COLUMN "withdrawnAt" DATETIME;

-- AlterTable
ALTER TABLE "YearReport" ADD COLUMN "withdrawnAt" DATETIME;

-- CreateTable
CREATE TABLE "PendingAction" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "PendingAction_kind_platform_userId_chatId_key" ON "PendingAction"("kind", "platform", "userId", "chatId");

