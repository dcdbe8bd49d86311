-- Back-office members' favourite clients (CL008). The client list reads them
-- with the filter term starred:true in the same query as the rest of the
-- filter, the data scope and the keyset cursor; each toggle also sends an
-- MC007 effect to the Persistence adapter (package clients, FavoriteHandlers).
-- The primary key serves "the clients member M starred" (tenant, member) and
-- the check of one client (tenant, member, client).
CREATE TABLE client_stars (
    tenant_id  TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    client_id  TEXT NOT NULL REFERENCES clients (id),
    starred_at {{.Timestamp}} NOT NULL,
    PRIMARY KEY (tenant_id, member_id, client_id)
);
