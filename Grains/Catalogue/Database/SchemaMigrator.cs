using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pcrs.Grains.Catalogue.Database;

/// <summary>
/// Applies the versioned scripts that a database does not have yet, each in its own transaction, and records them
/// in schema_migrations. A session advisory lock serialises processes that start together (several silos and a
/// web front on one database), so each script runs once; re-running is a no-op.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, ILogger logger)
{
    // Arbitrary but fixed for every version of the product: the bytes of "PCRSMIGR".
    private const long AdvisoryLockKey = 0x5043_5253_4D49_4752;

    /// <summary>Applies every embedded deploy/sql script; returns the versions applied by this call.</summary>
    public Task<IReadOnlyList<int>> ApplyAsync(CancellationToken ct = default) =>
        ApplyAsync(EmbeddedSqlMigrations.All, ct);

    public async Task<IReadOnlyList<int>> ApplyAsync(IReadOnlyList<SqlMigration> migrations, CancellationToken ct = default)
    {
        migrations = EmbeddedSqlMigrations.Ordered(migrations);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            // Only when missing: a least-privilege role (deploy/postgres/roles.sql) may not run CREATE at all, even
            // "IF NOT EXISTS" on a table that exists, and it must still start when the migration step ran before it.
            await ExecuteAsync(connection, null, """
                DO $$ BEGIN IF to_regclass('schema_migrations') IS NULL THEN
                CREATE TABLE schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                END IF; END $$
                """, ct);

            Dictionary<int, string> applied = await ReadAppliedAsync(connection, ct);
            var appliedNow = new List<int>();
            foreach (SqlMigration migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out string? checksum))
                {
                    if (!string.Equals(checksum, migration.Checksum, StringComparison.Ordinal))
                    {
                        // Released scripts must not change; a new number is the way to alter the schema.
                        logger.LogWarning(
                            "Migration {Version} ({Name}) was applied from a different script text; it is not re-run",
                            migration.Version, migration.Name);
                    }

                    continue;
                }

                await ApplyOneAsync(connection, migration, ct);
                appliedNow.Add(migration.Version);
            }

            if (appliedNow.Count == 0)
            {
                logger.LogInformation("Database schema is up to date ({Count} migrations)", migrations.Count);
            }

            return appliedNow;
        }
        finally
        {
            // The lock is per session; release it even on failure, since the pooled connection stays open.
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private async Task ApplyOneAsync(NpgsqlConnection connection, SqlMigration migration, CancellationToken ct)
    {
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await ExecuteAsync(connection, transaction, migration.Sql, ct);
            await using (var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)",
                connection, transaction))
            {
                record.Parameters.AddWithValue("version", migration.Version);
                record.Parameters.AddWithValue("name", migration.Name);
                record.Parameters.AddWithValue("checksum", migration.Checksum);
                await record.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege)
        {
            // A least-privilege role (deploy/postgres/roles.sql) started before the migration step ran.
            throw new InvalidOperationException(
                $"Migration {migration.Version} ({migration.Name}) is pending and this database role may not apply it " +
                $"({ex.MessageText}): run the migration step (Pcrs.Silo migrate) with the schema owner's connection string first.", ex);
        }
        catch (PostgresException ex)
        {
            throw new InvalidOperationException(
                $"Migration {migration.Version} ({migration.Name}) failed: {ex.SqlState} {ex.MessageText}", ex);
        }

        logger.LogInformation("Applied migration {Version} ({Name})", migration.Version, migration.Name);
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }
}
