DROP INDEX clientele_effects_due;
--bun:split
ALTER TABLE clientele_effects DROP COLUMN due_at;
