using Npgsql;
using Pcrs.TestSupport;

namespace Pcrs.Hosting.Tests.Support;

/// <summary>A fresh database on the test PostgreSQL server (peers, port 55491), dropped at the end.</summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public string Name { get; } = $"hosting_{Guid.NewGuid():N}"[..24];

    public string ConnectionString => Peers.PostgresAdminConnectionString(Name);

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await using var admin = new NpgsqlConnection(Peers.PostgresAdminConnectionString());
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {Name}", admin);
        await create.ExecuteNonQueryAsync();
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Peers.PostgresAdminConnectionString());
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using NpgsqlCommand command = DataSource.CreateCommand(sql);
        object? value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
