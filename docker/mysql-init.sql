-- Least privilege: migrations (DDL) and the running service (DML only) use different accounts.
-- Runs once, when the MySQL container initialises an empty data directory.
CREATE USER IF NOT EXISTS 'presence_migrator'@'%' IDENTIFIED BY 'migrator-secret';
GRANT CREATE, ALTER, DROP, INDEX, REFERENCES, SELECT, INSERT, UPDATE, DELETE ON presence.* TO 'presence_migrator'@'%';
CREATE USER IF NOT EXISTS 'presence_app'@'%' IDENTIFIED BY 'app-secret';
GRANT SELECT, INSERT, UPDATE, DELETE ON presence.* TO 'presence_app'@'%';
