-- Why this file exists: who may use the platform. Every account, API key, target and sensor
-- belongs to one organization; a single-tenant install uses the 'default' one made here.
-- Secrets are stored only as hashes (password_hash, key_hash); the API hashes and compares.

CREATE TABLE organization (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text        NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO organization (name) VALUES ('default');

CREATE TABLE account (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id bigint      NOT NULL REFERENCES organization (id),
  username        text        NOT NULL UNIQUE CHECK (char_length(username) BETWEEN 1 AND 64),
  password_hash   text        NOT NULL,
  role            text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- Accounts are disabled, not deleted, so commands and alarms keep who issued/acked them.
  disabled_at     timestamptz,
  -- Lets api_key reference (organization_id, id) so a key cannot cross organizations.
  UNIQUE (organization_id, id)
);

-- A key is shown once at creation as `<prefix>.<secret>`; the prefix (unique, not secret)
-- finds the row, the secret is checked against key_hash.
CREATE TABLE api_key (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id bigint      NOT NULL,
  account_id      bigint      NOT NULL,
  name            text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  prefix          text        NOT NULL UNIQUE CHECK (char_length(prefix) BETWEEN 1 AND 64),
  key_hash        text        NOT NULL,
  -- At most the account's role; the API enforces that when it creates the key.
  role            text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz,
  last_used_at    timestamptz,
  revoked_at      timestamptz,
  FOREIGN KEY (organization_id, account_id)
    REFERENCES account (organization_id, id) ON DELETE CASCADE
);

CREATE INDEX api_key_account_id_idx ON api_key (account_id);
