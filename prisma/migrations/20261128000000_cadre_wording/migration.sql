-- The cadre's own wording: 时间安排 and 参与人数(规模) as written, several awards per summary.
-- (Hand-written: Prisma's diff redefines Summary, which SQLite cannot do safely inside the migration's
-- transaction while Plan references are live; ADD/DROP COLUMN is enough.)
ALTER TABLE "Plan" ADD COLUMN "participantsText" TEXT;
ALTER TABLE "Plan" ADD COLUMN "periodText" TEXT;

ALTER TABLE "Summary" ADD COLUMN "awards" TEXT NOT NULL DEFAULT '[]';
-- Each old summary's one award (level and optional name) becomes the list's only entry. A name filed
-- with 获奖级别 无 ("待评选（预计区级）") is kept too, with level none: shown as written, never scored.
UPDATE "Summary" SET "awards" = json_array(json_object('level', "awardLevel", 'name', COALESCE("awardName", '')))
WHERE "awardLevel" <> 'none' OR COALESCE("awardName", '') <> '';
ALTER TABLE "Summary" DROP COLUMN "awardName";
