ALTER TABLE clients DROP COLUMN archive;
