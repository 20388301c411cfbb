-- Personal accounts (issue 13): one per person, whatever they do on the platform. The e-mail address is
-- unique whatever its case; the password is kept only as an Argon2id hash; the TOTP secret is the second
-- factor (required for centrale staff and region ops). Erasing an account blanks every personal column.
CREATE TABLE accounts (
    id                  uuid PRIMARY KEY,
    email               text,
    name                text,
    password_hash       text,
    password_changed_at timestamptz,
    totp_secret         text,
    totp_pending_secret text,
    totp_last_step      bigint,
    created_at          timestamptz NOT NULL,
    created_by          text        NOT NULL,
    last_login_at       timestamptz,
    erased_at           timestamptz
);
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));

-- What an account may act as: a role, the centrale it works for and the record it acts as (an organisation,
-- a volunteer, a business partner). A consulent has one per centrale; an organisation several users.
CREATE TABLE memberships (
    id          uuid PRIMARY KEY,
    account_id  uuid        NOT NULL REFERENCES accounts (id),
    role        text        NOT NULL,
    centrale_id text REFERENCES centrales (id),
    subject_id  uuid,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    ended_at    timestamptz,
    ended_by    text
);
CREATE UNIQUE INDEX memberships_active ON memberships (
    account_id, role, coalesce(centrale_id, ''), coalesce(subject_id, '00000000-0000-0000-0000-000000000000')
) WHERE ended_at IS NULL;
CREATE INDEX memberships_account ON memberships (account_id);
CREATE INDEX memberships_centrale ON memberships (centrale_id, role);
CREATE INDEX memberships_subject ON memberships (subject_id);

-- Single-use, short-lived tokens of e-mailed links (invitation, password reset) and of a login's second
-- step (TOTP enrolment): only their SHA-256 is kept.
CREATE TABLE account_links (
    token_hash    text PRIMARY KEY,
    account_id    uuid        NOT NULL REFERENCES accounts (id),
    purpose       text        NOT NULL,
    membership_id uuid,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX account_links_account ON account_links (account_id);

-- The registry's own bookkeeping of sessions (other services keep only what common's projection needs):
-- the membership a session acts as, and when it was last used (the idle timeout).
ALTER TABLE credentials
    ADD COLUMN membership_id uuid,
    ADD COLUMN last_used_at  timestamptz;
CREATE INDEX credentials_membership ON credentials (membership_id) WHERE membership_id IS NOT NULL;
CREATE INDEX credentials_live ON credentials (kind) WHERE revoked_at IS NULL;
