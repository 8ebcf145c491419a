// Organizations: tenants that see nothing of each other. Made by a platform administrator,
// each with its first admin, in one transaction.
import type pg from 'pg';
import { hashPassword } from '../../../internal/auth/index.js';
import { inTransaction } from './queryable.js';

export interface OrganizationView {
  name: string;
  createdAt: string;
}

export async function listOrganizations(pool: pg.Pool): Promise<OrganizationView[]> {
  const { rows } = await pool.query<{ name: string; created_at: Date }>(
    'SELECT name, created_at FROM organization ORDER BY name',
  );
  return rows.map((r) => ({ name: r.name, createdAt: r.created_at.toISOString() }));
}

/** The organization and its admin; a unique violation when the name is taken. */
export async function createOrganization(
  pool: pg.Pool,
  organization: { name: string; admin: { username: string; password: string } },
): Promise<OrganizationView & { admin: string }> {
  const hash = await hashPassword(organization.admin.password);
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string; created_at: Date }>(
      'INSERT INTO organization (name) VALUES ($1) RETURNING id, created_at',
      [organization.name],
    );
    const created = rows[0]!;
    await client.query(
      `INSERT INTO account (organization_id, username, password_hash, role)
       VALUES ($1, $2, $3, 'admin')`,
      [created.id, organization.admin.username, hash],
    );
    return {
      name: organization.name,
      createdAt: created.created_at.toISOString(),
      admin: organization.admin.username,
    };
  });
}
