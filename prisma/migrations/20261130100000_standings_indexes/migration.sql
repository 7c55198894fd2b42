-- Indexes for the standings, roll-calls and export at federation scale (issue 17): the per-unit counts
-- read covering indexes instead of 200,000 plan rows, and the changes since the counts were kept are
-- found by updatedAt (src/services/filing-counts.ts). Written by prisma migrate diff.
-- CreateIndex
CREATE INDEX "Plan_counts_idx" ON "Plan"("campaignId", "withdrawnAt", "unitId", "late", "distinctParticipants", "participants");

-- CreateIndex
CREATE INDEX "Plan_changes_idx" ON "Plan"("campaignId", "updatedAt");

-- CreateIndex
CREATE INDEX "Summary_counts_idx" ON "Summary"("planId", "late", "actualParticipants", "awardLevel");

-- CreateIndex
CREATE INDEX "Summary_changes_idx" ON "Summary"("updatedAt");

