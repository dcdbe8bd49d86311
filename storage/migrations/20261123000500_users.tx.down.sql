DROP TABLE user_sessions;
--bun:split
DROP TABLE user_codes;
--bun:split
DROP TABLE users;
