-- Accounts at a directory (LDAP / Active Directory) or an OpenID Connect provider, each
-- tied to one Teahouse user by the provider's stable id, never by a name.
CREATE TABLE external_identities (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    provider       TEXT NOT NULL,                 -- "ldap", or the OIDC issuer URL
    subject        TEXT,                          -- entryUUID/objectGUID or OIDC sub; NULL: an
                                                  -- admin's link waiting for its first sign-in
    external_name  TEXT NOT NULL,                 -- the username at the provider
    email          TEXT,
    disabled_at    TEXT,                          -- set when the directory stops knowing the user
    linked_by      INTEGER REFERENCES users(id),  -- the admin who linked a local account
    created_at     TEXT NOT NULL,
    last_seen_at   TEXT,
    UNIQUE (provider, subject),
    UNIQUE (provider, user_id)
);
CREATE INDEX external_identities_user ON external_identities(user_id);
