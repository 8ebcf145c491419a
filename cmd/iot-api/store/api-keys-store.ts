import type { Static } from 'typebox';
import type { ApiKey } from '../../../internal/api-contract/index.js';
import type { Role } from './accounts-store.js';
import type { Queryable } from './queryable.js';

/** As the API answers it: the schema's type (schemas.ts). */
export type ApiKeyView = Static<typeof ApiKey>;

interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const view = (r: ApiKeyRow): ApiKeyView => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revoked: r.revoked_at !== null,
});

const COLUMNS = 'id, name, role, prefix, created_at, expires_at, last_used_at, revoked_at';

export async function listApiKeys(db: Queryable, organizationId: string): Promise<ApiKeyView[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_key WHERE organization_id = $1 ORDER BY created_at, id`,
    [organizationId],
  );
  return rows.map(view);
}

export async function insertApiKey(
  db: Queryable,
  key: {
    organizationId: string;
    accountId: string;
    name: string;
    role: Role;
    prefix: string;
    hash: string;
    expiresInDays?: number;
  },
): Promise<ApiKeyView> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_key (organization_id, account_id, name, role, prefix, key_hash, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7::int))
     RETURNING ${COLUMNS}`,
    [
      key.organizationId,
      key.accountId,
      key.name,
      key.role,
      key.prefix,
      key.hash,
      key.expiresInDays ?? null,
    ],
  );
  return view(rows[0]!);
}

/** True if a key of this organization was found (revoking twice is fine). */
export async function revokeApiKey(
  db: Queryable,
  organizationId: string,
  id: string,
): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) return false;
  const { rowCount } = await db.query(
    `UPDATE api_key SET revoked_at = coalesce(revoked_at, now())
     WHERE id = $1 AND organization_id = $2`,
    [id, organizationId],
  );
  return rowCount === 1;
}
