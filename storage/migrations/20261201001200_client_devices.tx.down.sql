DROP TABLE client_device_transfers;
--bun:split
DROP TABLE client_device_states;
