-- CreateTable
CREATE TABLE "JoinRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "unitId" INTEGER NOT NULL,
    "chatId" TEXT NOT NULL,
    "adminOnly" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "JoinRequest_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AdminClaim" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "usedAt" DATETIME,
    "usedBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- AlterTable
ALTER TABLE "Member" ADD COLUMN "judge" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "JoinRequest_platform_userId_status_idx" ON "JoinRequest"("platform", "userId", "status");

-- CreateIndex
CREATE INDEX "JoinRequest_unitId_status_idx" ON "JoinRequest"("unitId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "AdminClaim_codeHash_key" ON "AdminClaim"("codeHash");

-- CreateIndex
CREATE INDEX "AdminClaim_platform_usedAt_idx" ON "AdminClaim"("platform", "usedAt");

