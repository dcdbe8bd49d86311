DROP TABLE adapter_idempotency;
--bun:split
DROP TABLE member_settings;
--bun:split
DROP TABLE member_favorites;
--bun:split
DROP TABLE device_transfers;
--bun:split
DROP TABLE devices;
