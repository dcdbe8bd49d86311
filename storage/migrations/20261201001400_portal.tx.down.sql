DROP TABLE portal_transfers;
--bun:split
DROP TABLE portal_access;
