-- Why this file exists: the Database dashboard (Grafana, as iot_readonly) shows what each
-- table costs on disk and how well TimescaleDB compresses it. With TimescaleDB a hypertable's
-- rows live in its chunks, so the table's own size says nothing; these views ask TimescaleDB
-- where it is installed and PostgreSQL's catalog where it is not, under the same names and
-- columns (as 0014 does for the feature aggregates), so the dashboard has one query for both.

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    -- hypertable_detailed_size counts every chunk, compressed ones included.
    EXECUTE $view$
      CREATE VIEW table_storage AS
      SELECT c.relname::text AS table_name,
        h.hypertable_name IS NOT NULL AS hypertable,
        coalesce(d.table_bytes + d.toast_bytes, pg_table_size(c.oid)) AS table_bytes,
        coalesce(d.index_bytes, pg_indexes_size(c.oid)) AS index_bytes,
        coalesce(d.total_bytes, pg_total_relation_size(c.oid)) AS total_bytes
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
      LEFT JOIN timescaledb_information.hypertables h
        ON h.hypertable_schema = 'public' AND h.hypertable_name = c.relname
      LEFT JOIN LATERAL (
        SELECT * FROM hypertable_detailed_size(c.oid::regclass) WHERE h.hypertable_name IS NOT NULL
      ) AS d ON true
      WHERE c.relkind IN ('r', 'p')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    $view$;
    EXECUTE $view$
      CREATE VIEW table_compression AS
      SELECT h.hypertable_name::text AS table_name,
        s.total_chunks, s.number_compressed_chunks AS compressed_chunks,
        s.before_compression_total_bytes AS before_bytes,
        s.after_compression_total_bytes AS after_bytes
      FROM timescaledb_information.hypertables h
      CROSS JOIN LATERAL hypertable_compression_stats(
        format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass) AS s
      WHERE h.hypertable_schema = 'public'
    $view$;
  ELSE
    CREATE VIEW table_storage AS
    SELECT c.relname::text AS table_name, false AS hypertable,
      pg_table_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes,
      pg_total_relation_size(c.oid) AS total_bytes
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    WHERE c.relkind IN ('r', 'p')
      -- Tables of extensions (PostGIS' spatial_ref_sys) are not the platform's.
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e');
    -- No compression without TimescaleDB: the same columns, no rows.
    CREATE VIEW table_compression AS
    SELECT NULL::text AS table_name, NULL::bigint AS total_chunks,
      NULL::bigint AS compressed_chunks, NULL::bigint AS before_bytes, NULL::bigint AS after_bytes
    WHERE false;
  END IF;
END
$$;
