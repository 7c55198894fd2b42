-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "judge" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "JoinRequest" (
    "id" SERIAL NOT NULL,
    "platform" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "unitId" INTEGER NOT NULL,
    "chatId" TEXT NOT NULL,
    "adminOnly" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "JoinRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminClaim" (
    "id" SERIAL NOT NULL,
    "platform" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "usedAt" TIMESTAMP(3),
    "usedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdminClaim_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "JoinRequest_platform_userId_status_idx" ON "JoinRequest"("platform", "userId", "status");

-- CreateIndex
CREATE INDEX "JoinRequest_unitId_status_idx" ON "JoinRequest"("unitId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "AdminClaim_codeHash_key" ON "AdminClaim"("codeHash");

-- CreateIndex
CREATE INDEX "AdminClaim_platform_usedAt_idx" ON "AdminClaim"("platform", "usedAt");

-- AddForeignKey
ALTER TABLE "JoinRequest" ADD CONSTRAINT "JoinRequest_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

