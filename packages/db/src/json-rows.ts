import { getTableColumns, type SQL, sql } from "drizzle-orm";
import { CasingCache } from "drizzle-orm/casing";
import { PgDialect, type PgTable } from "drizzle-orm/pg-core";
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

const dialect = new PgDialect();

/** The statement around the JSON parameter, per table and set of fields. */
interface Statement {
  head: SQL;
  tail: SQL;
}

const statements = new WeakMap<PgTable, Map<string, Statement>>();

/**
 * Inserts rows as one JSON parameter (insert … select from jsonb_to_recordset), for the batch
 * writes that run under an inbox lock: drizzle's values() builds a parameter per cell, ~1.5 ms of
 * JavaScript per batch of messages, and a statement text per row count. Rows are grouped by the
 * fields they set, so a field left out still gets its column's default. The statement's text is
 * built once per table and set of fields: drizzle walking three pieces per column for every batch
 * cost more than the rest of the insert's JavaScript.
 */
export async function insertJsonRows<T extends PgTable>(
  db: Queryable,
  table: T,
  rows: Partial<T["$inferInsert"]>[],
): Promise<void> {
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
      const { head, tail } = statementFor(table, shape);
      const json = JSON.stringify(group).replace(LONE_SURROGATE, "\\ufffd");
      return db.execute(sql`${head}${json}${tail}`);
    }),
  );
}

function statementFor(table: PgTable, shape: string): Statement {
  let byShape = statements.get(table);
  if (!byShape) {
    byShape = new Map();
    statements.set(table, byShape);
  }
  const known = byShape.get(shape);
  if (known) return known;
  const columns = getTableColumns(table);
  const named = (shape ? shape.split(",") : []).map((key) => {
    const column = columns[key];
    if (!column) throw new Error(`insertJsonRows: ${key} is not a column`);
    return { key, name: casing.getColumnCasing(column), type: recordType(column.getSQLType()) };
  });
  const list = (f: (c: (typeof named)[number]) => SQL | ReturnType<typeof sql.identifier>) =>
    sql.join(named.map(f), sql`, `);
  // Both halves hold identifiers only, so their text is the whole of them.
  const text = (part: SQL) => sql.raw(dialect.sqlToQuery(part).sql);
  const statement = {
    head: text(sql`insert into ${table} (${list((c) => sql.identifier(c.name))})
        select ${list((c) => sql.identifier(c.key))}
        from jsonb_to_recordset(`),
    tail: text(sql`::jsonb) as x(${list((c) => sql`${sql.identifier(c.key)} ${sql.raw(c.type)}`)})`),
  };
  byShape.set(shape, statement);
  return statement;
}
