DROP TABLE clientele_effect_progress;
--bun:split
DROP TABLE clientele_effects;
