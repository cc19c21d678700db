using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pcrs.Grains.Catalogue.Database;
using Pcrs.Hosting.Tests.Support;

namespace Pcrs.Hosting.Tests;

/// <summary>The deploy/sql migrations on a real PostgreSQL: first run, re-run, concurrent runs.</summary>
public sealed class MigrationTests : IAsyncLifetime
{
    // Every key the Orleans 10.4.2 ADO.NET clustering and reminder providers read (the last clustering one is optional).
    private static readonly string[] OrleansQueryKeys =
    [
        "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "InsertMembershipKey",
        "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
        "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "UpsertReminderRowKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    private readonly TestDatabase _database = new();

    public ValueTask InitializeAsync() => _database.InitializeAsync();

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private SchemaMigrator Migrator() => new(_database.DataSource, NullLogger.Instance);

    [Fact(Timeout = 120_000)]
    public async Task First_run_applies_every_script_and_creates_the_orleans_contract()
    {
        IReadOnlyList<int> applied = await Migrator().ApplyAsync(TestContext.Current.CancellationToken);

        Assert.Equal(EmbeddedSqlMigrations.All.Select(m => m.Version), applied);
        Assert.Contains(1, applied);
        Assert.Contains(2, applied);
        Assert.Contains(3, applied);
        var keys = new List<string>();
        await using (NpgsqlCommand command = _database.DataSource.CreateCommand("SELECT querykey FROM orleansquery"))
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                keys.Add(reader.GetString(0));
            }
        }

        foreach (string key in OrleansQueryKeys)
        {
            Assert.Contains(key, keys);
        }

        Assert.Equal(applied.Count, await _database.ScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(0, await _database.ScalarAsync<int>("SELECT count(*) FROM data_protection_keys"));
    }

    [Fact(Timeout = 120_000)]
    public async Task Second_run_changes_nothing()
    {
        await Migrator().ApplyAsync(TestContext.Current.CancellationToken);
        DateTime firstAppliedAt = await _database.ScalarAsync<DateTime>("SELECT max(applied_at) FROM schema_migrations");

        IReadOnlyList<int> again = await Migrator().ApplyAsync(TestContext.Current.CancellationToken);

        Assert.Empty(again);
        Assert.Equal(firstAppliedAt, await _database.ScalarAsync<DateTime>("SELECT max(applied_at) FROM schema_migrations"));
        Assert.Equal(OrleansQueryKeys.Length, await CountOrleansKeysAsync());
    }

    private Task<int> CountOrleansKeysAsync() => _database.ScalarAsync<int>(
        $"SELECT count(*) FROM orleansquery WHERE querykey IN ({string.Join(',', OrleansQueryKeys.Select(k => $"'{k}'"))})");

    [Fact(Timeout = 120_000)]
    public async Task Processes_starting_together_apply_each_script_once()
    {
        IReadOnlyList<int>[] results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => Migrator().ApplyAsync(TestContext.Current.CancellationToken))));

        List<int> all = results.SelectMany(r => r).OrderBy(v => v).ToList();
        Assert.Equal(EmbeddedSqlMigrations.All.Select(m => m.Version), all);
    }

    [Fact(Timeout = 120_000)]
    public async Task Re_running_every_script_text_by_hand_is_harmless()
    {
        // Scripts are idempotent on their own (IF NOT EXISTS / ON CONFLICT), not only through schema_migrations.
        await Migrator().ApplyAsync(TestContext.Current.CancellationToken);
        foreach (SqlMigration migration in EmbeddedSqlMigrations.All.Where(m => m.Version < 100))
        {
            await using NpgsqlCommand command = _database.DataSource.CreateCommand(migration.Sql);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(OrleansQueryKeys.Length, await CountOrleansKeysAsync());
    }

    [Fact]
    public void Script_names_give_unique_versions()
    {
        Assert.Throws<InvalidOperationException>(() => SqlMigration.FromScript("orleans.sql", "SELECT 1"));
        Assert.Throws<InvalidOperationException>(() => EmbeddedSqlMigrations.Ordered(
            [SqlMigration.FromScript("0007_a.sql", ""), SqlMigration.FromScript("0007_b.sql", "")]));
        Assert.Equal(12, SqlMigration.FromScript("0012_x.sql", "").Version);
    }
}
