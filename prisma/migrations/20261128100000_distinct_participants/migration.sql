-- Participants the filer states are other people than in the unit's other competitions.
ALTER TABLE "Plan" ADD COLUMN "distinctParticipants" BOOLEAN NOT NULL DEFAULT false;
