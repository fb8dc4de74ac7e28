// Transparency-log benchmark, all in one run:
// - appends per second through the real sequencer (group commit) on SQLite and on PostgreSQL,
//   against the raw SHA-256 leaf-hashing rate measured in the same process;
// - inclusion and consistency proof generation on a 10,000,000-entry log, from stored tiles
//   (cold: tiles read from SQLite and hashed; warm: full tiles cached in memory);
// - disk bytes per entry.
// The 10M-entry tree is synthesized: leaf hashes are generated and tiles stored through the same
// append path the log uses (no entry rows, which proofs never read). `--quick` uses 1M entries.
// PostgreSQL comes from SIGNET_BENCH_PG_URL or SIGNET_TEST_PG_URL (`scripts/postgres.sh start`).
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDefaultBackend, leafHash, verifyConsistency, verifyInclusion } from '@signet/core';
import { appendLeafHashes, LogKey, openLog, openSqliteStorage, signTreeHead, TiledTree } from '@signet/log';

const fileBytes = (p) => (existsSync(p) ? statSync(p).size : 0);

async function appendRate(log, count, backend, tag) {
  const entries = Array.from({ length: count }, (_, i) => backend.sha256(new TextEncoder().encode(`${tag}-${i}`)));
  // Warm up the storage and the JIT on a small batch first.
  await Promise.all(entries.slice(0, 500).map((entry, i) => log.appendEntry({ entry, responseId: `${tag}-w-${i}` })));
  const started = performance.now();
  await Promise.all(
    entries.map((entry, i) => log.appendEntry({ entry, responseId: `chatcmpl-${tag}-${i.toString(36).padStart(8, '0')}` })),
  );
  return (count / (performance.now() - started)) * 1000;
}

export default async function run(ctx) {
  const backend = getDefaultBackend();
  const results = [];
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-log-'));
  try {
    // Baseline: what hashing the leaves alone costs (RFC 9162 leaf hash of a 32-byte entry).
    const entry = backend.sha256(new Uint8Array([1, 2, 3]));
    const hashRate = await ctx.measure(() => leafHash(backend, entry), { batch: 1024 });
    results.push({ name: 'raw SHA-256 leaf hashes', value: hashRate, unit: 'ops/s' });

    const appends = ctx.quick ? 5_000 : 50_000;
    const key = LogKey.generate('bench.example/log');
    const sqlitePath = join(dir, 'append.db');
    const sqlite = await openLog(sqlitePath, { key, create: true, maxBatch: 1000, maxDelayMs: 10 });
    const sqliteRate = await appendRate(sqlite, appends, backend, 's');
    const batches = sqlite.sequencer.stats.batches;
    await sqlite.close();
    results.push({
      name: `SQLite appends (group commit, ${appends} entries, ${batches} batches)`,
      value: sqliteRate,
      unit: 'entries/s',
      baseline: 'leaf hashing',
      ratio: sqliteRate / hashRate,
    });
    const sqliteBytes = fileBytes(sqlitePath) + fileBytes(`${sqlitePath}-wal`);
    results.push({ name: 'SQLite disk per entry (entries + tiles + heads + index)', value: sqliteBytes / (appends + 500), unit: 'bytes' });

    const pgUrl = process.env.SIGNET_BENCH_PG_URL ?? process.env.SIGNET_TEST_PG_URL;
    if (pgUrl !== undefined) {
      const schema = `bench_${process.pid}`;
      const pg = await openLog(pgUrl, { key, create: true, schema, maxBatch: 1000, maxDelayMs: 10 });
      const pgRate = await appendRate(pg, appends, backend, 'p');
      await pg.close();
      results.push({
        name: `PostgreSQL appends (group commit, ${appends} entries)`,
        value: pgRate,
        unit: 'entries/s',
        baseline: 'leaf hashing',
        ratio: pgRate / hashRate,
      });
      // The pg driver is @signet/log's dependency: borrow it from there for the size query.
      const pgLib = createRequire(new URL('../../packages/log/package.json', import.meta.url))('pg');
      const client = new pgLib.Client({ connectionString: pgUrl });
      await client.connect();
      const { rows } = await client.query(
        `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
        [schema],
      );
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
      results.push({
        name: 'PostgreSQL disk per entry (tables + indexes + TOAST)',
        value: Number(rows[0].bytes) / (appends + 500),
        unit: 'bytes',
      });
    } else {
      results.push({ name: 'PostgreSQL appends', value: 'skipped: set SIGNET_BENCH_PG_URL', unit: '' });
    }

    // ---- a 10M-entry tree, tiles in SQLite ----
    const size = ctx.quick ? 1_000_000 : 10_000_000;
    const bigPath = join(dir, 'big.db');
    const storage = openSqliteStorage(bigPath);
    const empty = signTreeHead(key, 0, backend.sha256(new Uint8Array(0)), 0);
    await storage.initialize({ origin: key.name, verifierKey: key.verifierKey }, empty);
    const chunk = 65_536;
    const buildStart = performance.now();
    // Synthetic leaf hashes: any 32 bytes will do for a tree benchmark, and a cheap mixing
    // function (not a hash) keeps the build time about the interior hashing, which is real.
    const leafAt = (i) => {
      const b = new Uint8Array(32);
      const w = new Uint32Array(b.buffer);
      let x = (i + 0x9e3779b9) >>> 0;
      for (let k = 0; k < 8; k++) {
        x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
        x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
        w[k] = (x ^= x >>> 16) ^ i;
      }
      return b;
    };
    for (let done = 0; done < size;) {
      const n = Math.min(chunk, size - done);
      const leaves = new Array(n);
      for (let i = 0; i < n; i++) leaves[i] = leafAt(done + i);
      // The real append path: edge tiles in, tiles and a signed head out, one transaction.
      await storage.append([], (s, edge) => {
        const plan = appendLeafHashes(backend, s, edge, leaves);
        return { plan, head: signTreeHead(key, plan.size, plan.root, 0) };
      });
      done += n;
    }
    const buildSeconds = (performance.now() - buildStart) / 1000;
    results.push({
      name: `build ${size.toLocaleString('en-US')}-entry tree (synthesized leaves, tiles stored)`,
      value: buildSeconds,
      unit: 's',
    });
    results.push({
      name: 'tile storage per entry (all levels)',
      value: (fileBytes(bigPath) + fileBytes(`${bigPath}-wal`)) / size,
      unit: 'bytes',
    });

    const head = await storage.latestHead();
    const rnd = (n) => Math.floor(Math.random() * n);
    // Cold: an 8-tile cache holds the right-edge tiles every proof touches, so the random full
    // tiles of each proof are read from SQLite every time. Warm: the default 1,024-tile cache.
    const cold = new TiledTree(backend, storage, { cacheTiles: 8 });
    const warm = new TiledTree(backend, storage);
    // Spot-check correctness before timing anything.
    for (let k = 0; k < 20; k++) {
      const i = rnd(size);
      if (!verifyInclusion(backend, i, size, leafAt(i), await cold.inclusionProof(i, size), head.root))
        throw new Error('inclusion proof failed');
    }
    const m = 1 + rnd(size - 1);
    if (!verifyConsistency(backend, m, size, await cold.root(m), head.root, await cold.consistencyProof(m, size)))
      throw new Error('consistency proof failed');

    const target = '< 1 ms (1,000 proofs/s)';
    // Also as a ratio: how many leaf hashes one proof costs on this machine (load-independent-ish).
    const asHashes = (proofsPerSecond) => ({ baseline: 'one leaf hash', ratio: hashRate / proofsPerSecond });
    const incCold = await ctx.measure(() => cold.inclusionProof(rnd(size), size), { batch: 16 });
    results.push({
      name: `inclusion proof, ${size.toLocaleString('en-US')} entries, cold (tiles from SQLite)`,
      value: 1000 / incCold,
      unit: 'ms/proof',
      target,
      ...asHashes(incCold),
    });
    const incWarm = await ctx.measure(() => warm.inclusionProof(rnd(size), size), { batch: 16 });
    results.push({
      name: `inclusion proof, ${size.toLocaleString('en-US')} entries, warm (full tiles cached)`,
      value: 1000 / incWarm,
      unit: 'ms/proof',
      target,
      ...asHashes(incWarm),
    });
    const conCold = await ctx.measure(() => cold.consistencyProof(1 + rnd(size - 1), size), { batch: 16 });
    results.push({
      name: `consistency proof to ${size.toLocaleString('en-US')}, cold`,
      value: 1000 / conCold,
      unit: 'ms/proof',
      target,
      ...asHashes(conCold),
    });
    const conWarm = await ctx.measure(() => warm.consistencyProof(1 + rnd(size - 1), size), { batch: 16 });
    results.push({
      name: `consistency proof to ${size.toLocaleString('en-US')}, warm`,
      value: 1000 / conWarm,
      unit: 'ms/proof',
      target,
      ...asHashes(conWarm),
    });
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { suite: 'log', results };
}
