import { getTableColumns, type SQL, sql } from "drizzle-orm";
import { CasingCache } from "drizzle-orm/casing";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Queryable } from "./client";

// The database's column names, as the schema's snake_case casing makes them (client.ts).
const casing = new CasingCache("snake_case");

/** jsonb_to_recordset's column types: a serial column's values are plain integers. */
const recordType = (sqlType: string) =>
  ({ serial: "integer", bigserial: "bigint", smallserial: "smallint" })[sqlType] ?? sqlType;

/**
 * A lone UTF-16 surrogate, as JSON.stringify escapes it. PostgreSQL's JSON parser refuses it,
 * where a text parameter would have had it replaced on the way to UTF-8; this does the same.
 */
const LONE_SURROGATE =
  /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/gi;

/**
 * Inserts rows as one JSON parameter (insert … select from jsonb_to_recordset), for the batch
 * writes that run under an inbox lock: drizzle's values() builds a parameter per cell, ~1.5 ms of
 * JavaScript per batch of messages, and a statement text per row count. Rows are grouped by the
 * fields they set, so a field left out still gets its column's default.
 */
export async function insertJsonRows<T extends PgTable>(
  db: Queryable,
  table: T,
  rows: Partial<T["$inferInsert"]>[],
): Promise<void> {
  const columns = getTableColumns(table);
  const byShape = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const set = Object.entries(row).filter(([, v]) => v !== undefined);
    const shape = set.map(([k]) => k).join(",");
    const group = byShape.get(shape) ?? [];
    if (!group.length) byShape.set(shape, group);
    group.push(Object.fromEntries(set));
  }
  await Promise.all(
    [...byShape].map(([shape, group]) => {
      const keys = shape ? shape.split(",") : [];
      const named = keys.map((key) => {
        const column = columns[key];
        if (!column) throw new Error(`insertJsonRows: ${key} is not a column`);
        return { key, name: casing.getColumnCasing(column), type: recordType(column.getSQLType()) };
      });
      const json = JSON.stringify(group).replace(LONE_SURROGATE, "\\ufffd");
      const list = (
        f: (c: (typeof named)[number]) => SQL | SQL.Aliased | ReturnType<typeof sql.identifier>,
      ) => sql.join(named.map(f), sql`, `);
      return db.execute(sql`insert into ${table} (${list((c) => sql.identifier(c.name))})
        select ${list((c) => sql.identifier(c.key))}
        from jsonb_to_recordset(${json}::jsonb) as x(${list((c) => sql`${sql.identifier(c.key)} ${sql.raw(c.type)}`)})`);
    }),
  );
}
