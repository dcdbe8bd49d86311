ALTER TABLE clients DROP COLUMN verification;
