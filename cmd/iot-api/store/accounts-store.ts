// Accounts and API keys: who may call the API, in which organization, with which role.
import type { Static } from 'typebox';
import type { Account } from '../../../internal/api-contract/index.js';
import { hashPassword, verifyPassword } from '../../../internal/auth/index.js';
import type { Queryable } from './queryable.js';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` may do what `needed` may (admin ⊃ operator ⊃ viewer). */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export interface Principal {
  accountId: string;
  username: string;
  organizationId: string;
  organization: string;
  /** The effective role: an API key's role, never above its account's. */
  role: Role;
  /** May create organizations (migration 0017); only with the admin role in effect. */
  platformAdmin: boolean;
  via: 'token' | 'api_key';
}

interface AccountRow {
  id: string;
  username: string;
  organization_id: string;
  organization: string;
  role: Role;
  platform_admin: boolean;
  password_hash: string;
}

const ACCOUNT_COLUMNS =
  'a.id, a.username, a.organization_id, o.name AS organization, a.role, a.platform_admin, a.password_hash';
const ACCOUNT_SELECT = `
  SELECT ${ACCOUNT_COLUMNS} FROM account a JOIN organization o ON o.id = a.organization_id`;

function principal(row: AccountRow, via: Principal['via'], role: Role = row.role): Principal {
  return {
    accountId: row.id,
    username: row.username,
    organizationId: row.organization_id,
    organization: row.organization,
    role,
    platformAdmin: row.platform_admin && role === 'admin',
    via,
  };
}

/** The organization a login names when it names none. */
export const DEFAULT_ORGANIZATION = 'default';

/**
 * The account for an organization, username and password, or undefined (wrong any way, or
 * disabled).
 */
export async function authenticatePassword(
  db: Queryable,
  login: { organization: string; username: string; password: string },
): Promise<Principal | undefined> {
  const { organization, username, password } = login;
  const { rows } = await db.query<AccountRow>(
    `${ACCOUNT_SELECT} WHERE o.name = $1 AND a.username = $2 AND a.disabled_at IS NULL`,
    [organization, username],
  );
  const row = rows[0];
  // Hash even for an unknown user, so response time does not tell which usernames exist.
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  return row && ok ? principal(row, 'token') : undefined;
}

const DUMMY_HASH = await hashPassword('timing-equaliser');

/** The live account behind a login token (re-read: disabling takes effect at once). */
export async function accountById(db: Queryable, id: string): Promise<Principal | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const { rows } = await db.query<AccountRow>(
    `${ACCOUNT_SELECT} WHERE a.id = $1 AND a.disabled_at IS NULL`,
    [id],
  );
  return rows[0] && principal(rows[0], 'token');
}

/** The account behind an unrevoked, unexpired API key with this prefix, with the key's hash. */
export async function apiKeyByPrefix(
  db: Queryable,
  prefix: string,
): Promise<{ principal: Principal; keyHash: string; keyId: string } | undefined> {
  const { rows } = await db.query<
    AccountRow & { key_role: Role; key_hash: string; key_id: string }
  >(
    `SELECT ${ACCOUNT_COLUMNS}, k.role AS key_role, k.key_hash, k.id AS key_id
     FROM account a JOIN organization o ON o.id = a.organization_id
       JOIN api_key k ON k.account_id = a.id
     WHERE k.prefix = $1 AND k.revoked_at IS NULL AND a.disabled_at IS NULL
       AND (k.expires_at IS NULL OR k.expires_at > now())`,
    [prefix],
  );
  const row = rows[0];
  if (!row) return undefined;
  // An account demoted after the key was made drags the key down with it.
  const role = roleAllows(row.role, row.key_role) ? row.key_role : row.role;
  return { principal: principal(row, 'api_key', role), keyHash: row.key_hash, keyId: row.key_id };
}

export async function touchApiKey(db: Queryable, keyId: string): Promise<void> {
  // At most once a minute per key: a busy script must not write a row per request.
  await db.query(
    `UPDATE api_key SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [keyId],
  );
}

/**
 * The first admin comes from configuration: created in the default organization if missing,
 * its password reset to the configured one if it differs (how an operator recovers access).
 * It is the platform administrator (creates organizations).
 */
export async function ensureAdmin(
  db: Queryable,
  username: string,
  password: string,
): Promise<'created' | 'updated' | 'unchanged'> {
  const { rows } = await db.query<{
    id: string;
    password_hash: string;
    role: Role;
    platform_admin: boolean;
    disabled: boolean;
  }>(
    `SELECT a.id, a.password_hash, a.role, a.platform_admin, a.disabled_at IS NOT NULL AS disabled
     FROM account a JOIN organization o ON o.id = a.organization_id
     WHERE o.name = $1 AND a.username = $2`,
    [DEFAULT_ORGANIZATION, username],
  );
  const existing = rows[0];
  if (!existing) {
    await db.query(
      `INSERT INTO account (organization_id, username, password_hash, role, platform_admin)
       VALUES ((SELECT id FROM organization WHERE name = $1), $2, $3, 'admin', true)
       ON CONFLICT (organization_id, username) DO NOTHING`,
      [DEFAULT_ORGANIZATION, username, await hashPassword(password)],
    );
    return 'created';
  }
  if (
    existing.role === 'admin' &&
    existing.platform_admin &&
    !existing.disabled &&
    (await verifyPassword(password, existing.password_hash))
  ) {
    return 'unchanged';
  }
  await db.query(
    `UPDATE account SET password_hash = $2, role = 'admin', platform_admin = true,
       disabled_at = NULL WHERE id = $1`,
    [existing.id, await hashPassword(password)],
  );
  return 'updated';
}

/** As the API answers it: the schema's type (schemas.ts). */
export type AccountView = Static<typeof Account>;

interface AccountViewRow {
  username: string;
  role: Role;
  created_at: Date;
  disabled: boolean;
}
const ACCOUNT_VIEW_COLUMNS = 'username, role, created_at, disabled_at IS NOT NULL AS disabled';

const accountView = (r: AccountViewRow): AccountView => ({
  username: r.username,
  role: r.role,
  createdAt: r.created_at.toISOString(),
  disabled: r.disabled,
});

export async function listAccounts(db: Queryable, organizationId: string): Promise<AccountView[]> {
  const { rows } = await db.query<AccountViewRow>(
    `SELECT ${ACCOUNT_VIEW_COLUMNS} FROM account WHERE organization_id = $1 ORDER BY username`,
    [organizationId],
  );
  return rows.map(accountView);
}

export async function createAccount(
  db: Queryable,
  organizationId: string,
  account: { username: string; password: string; role: Role },
): Promise<AccountView> {
  const { rows } = await db.query<{ created_at: Date }>(
    `INSERT INTO account (organization_id, username, password_hash, role)
     VALUES ($1, $2, $3, $4) RETURNING created_at`,
    [organizationId, account.username, await hashPassword(account.password), account.role],
  );
  return {
    username: account.username,
    role: account.role,
    createdAt: rows[0]!.created_at.toISOString(),
    disabled: false,
  };
}

/**
 * Changes an account of the organization: its role, or disabled (its tokens and API keys stop
 * working at once: authenticate.ts re-reads the account) or enabled again. Undefined when the
 * organization has no such account.
 */
export async function updateAccount(
  db: Queryable,
  organizationId: string,
  username: string,
  change: { role?: Role; disabled?: boolean },
): Promise<AccountView | undefined> {
  const { rows } = await db.query<AccountViewRow>(
    `UPDATE account SET role = COALESCE($3, role),
       disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at
                          WHEN $4 THEN COALESCE(disabled_at, now()) ELSE NULL END
     WHERE organization_id = $1 AND username = $2
     RETURNING ${ACCOUNT_VIEW_COLUMNS}`,
    [organizationId, username, change.role ?? null, change.disabled ?? null],
  );
  return rows[0] && accountView(rows[0]);
}
