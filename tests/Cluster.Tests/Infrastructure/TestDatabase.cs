using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pcrs.Grains.Catalogue.Database;
using Pcrs.TestSupport;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>A fresh PostgreSQL database on the test server with every migration applied; dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name)
    {
        Name = name;
        ConnectionString = Peers.PostgresAdminConnectionString(name);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestDatabase> CreateAsync(string purpose)
    {
        string name = $"pcrs_{purpose}_{Guid.NewGuid():N}"[..40];
        await using (var admin = NpgsqlDataSource.Create(Peers.PostgresAdminConnectionString()))
        await using (var create = admin.CreateCommand($"CREATE DATABASE \"{name}\""))
            await create.ExecuteNonQueryAsync();
        var database = new TestDatabase(name);
        await new SchemaMigrator(database.DataSource, NullLogger.Instance).ApplyAsync();
        return database;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(Peers.PostgresAdminConnectionString());
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }
}
