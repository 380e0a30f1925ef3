// DuckDB peer: per (host, UTC minute) counts of completion lines and of 5xx among them, the same job
// as regsla's scan, through read_json + GROUP BY. Usage: node duckdb-counts.mjs FILE [THREADS]
// Prints `host<TAB>minute<TAB>requests<TAB>5xx` (minute = Unix minutes), sorted, on stdout.
// Needs @duckdb/node-api (bench/run-bench.sh installs it into bench/node_modules).
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads] = process.argv.slice(2);
if (!file) {
  console.error('usage: node duckdb-counts.mjs FILE [THREADS]');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
const con = await instance.connect();
const lit = "'" + file.replaceAll("'", "''") + "'";
const compression = file.endsWith('.zst') ? 'zstd' : 'uncompressed';
// Times are RFC 3339 with 0-9 fraction digits and Z, +hh:mm or +hhmm: the minute is taken from the
// text (no fraction needed) and shifted by the offset, so no timestamp parser has to accept
// nanoseconds. Lines that are not JSON objects are skipped (ignore_errors).
const sql = `
WITH lines AS (
  SELECT "time" AS t, "http.request.host" AS h, "http.response.status" AS s
  FROM read_json(${lit}, format = 'newline_delimited', compression = '${compression}',
                 ignore_errors = true, maximum_object_size = 67108864,
                 columns = {"time": 'VARCHAR', "msg": 'VARCHAR', "http.request.host": 'VARCHAR',
                            "http.response.status": 'VARCHAR'})
  WHERE msg IN ('response completed', 'response completed with error')
), zoned AS (
  SELECT h, s, t,
         CASE WHEN right(t, 1) IN ('Z', 'z') THEN ''
              ELSE replace(CASE WHEN substr(t, length(t) - 2, 1) = ':' THEN right(t, 6) ELSE right(t, 5) END, ':', '')
         END AS z
  FROM lines
), parsed AS (
  SELECT lower(regexp_replace(h, ':[0-9]+$', '')) AS host,
         CAST(epoch(CAST(substr(t, 1, 16) || ':00' AS TIMESTAMP)) AS BIGINT) // 60
           - CASE WHEN z = '' THEN 0
                  ELSE (CASE WHEN substr(z, 1, 1) = '-' THEN -1 ELSE 1 END)
                       * (CAST(substr(z, 2, 2) AS INTEGER) * 60 + CAST(substr(z, 4, 2) AS INTEGER)) END AS minute,
         TRY_CAST(s AS INTEGER) AS status
  FROM zoned
)
SELECT host, minute, count(*) AS requests, count(*) FILTER (WHERE status >= 500 AND status <= 599) AS e5xx
FROM parsed GROUP BY host, minute ORDER BY host, minute`;
const reader = await con.runAndReadAll(sql);
const out = [];
for (const r of reader.getRows()) out.push(`${r[0]}\t${r[1]}\t${r[2]}\t${r[3]}`);
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
