-- Onboarding verification (issue 12): the results of a client's automated
-- checks (identity, KYC documents, compliance screening), as JSON
-- (clients.Verification). Clients created before have none: '{}' reads as
-- every check pending, round 0.
ALTER TABLE clients ADD COLUMN verification {{.JSON}} NOT NULL DEFAULT '{}';
