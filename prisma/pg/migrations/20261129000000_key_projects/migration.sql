-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "keyProjectId" INTEGER;

-- CreateTable
CREATE TABLE "KeyProject" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "unitId" INTEGER,
    "startDate" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "withdrawnAt" TIMESTAMP(3),

    CONSTRAINT "KeyProject_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "KeyProject_unitId_idx" ON "KeyProject"("unitId");

-- CreateIndex
CREATE UNIQUE INDEX "KeyProject_campaignId_name_key" ON "KeyProject"("campaignId", "name");

-- CreateIndex
CREATE INDEX "Plan_keyProjectId_idx" ON "Plan"("keyProjectId");

-- AddForeignKey
ALTER TABLE "Plan" ADD CONSTRAINT "Plan_keyProjectId_fkey" FOREIGN KEY ("keyProjectId") REFERENCES "KeyProject"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KeyProject" ADD CONSTRAINT "KeyProject_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KeyProject" ADD CONSTRAINT "KeyProject_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

