using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pcrs.Grains.Catalogue.Database;
using Pcrs.Hosting.Tests.Support;
using Pcrs.TestSupport;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// deploy/postgres/roles.sql, run by psql as the deployment recipe says: the owner role applies the migrations, the
/// application role then starts (schema check included) and writes rows, but creates and drops nothing, and a pending
/// migration it may not apply stops it naming the migration step.
/// </summary>
public sealed class LeastPrivilegeRoleTests : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    private string Owner => "pcrs_owner_" + _suffix;

    private string App => "pcrs_app_" + _suffix;

    private string Database => "pcrs_roles_" + _suffix;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Peers.PostgresAdminConnectionString());
        await admin.OpenAsync();
        foreach (var sql in new[] { $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)", $"DROP ROLE IF EXISTS {App}", $"DROP ROLE IF EXISTS {Owner}" })
        {
            await using var command = new NpgsqlCommand(sql, admin);
            await command.ExecuteNonQueryAsync();
        }
    }

    private string ConnectionString(string role) =>
        $"Host={Peers.Host};Port={Peers.PostgreSql};Username={role};Password=unused-trust-auth;Database={Database};Pooling=false";

    [Fact(Timeout = 180_000)]
    public async Task The_application_role_starts_and_writes_rows_but_changes_no_schema()
    {
        string script = (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "postgres", "roles.sql"), TestContext.Current.CancellationToken))
            .Replace("pcrs_owner", Owner, StringComparison.Ordinal).Replace("pcrs_app", App, StringComparison.Ordinal)
            .Replace("DATABASE pcrs ", $"DATABASE {Database} ", StringComparison.Ordinal).Replace("\\connect pcrs", $"\\connect {Database}", StringComparison.Ordinal);
        string file = Path.Combine(Path.GetTempPath(), $"roles-{_suffix}.sql");
        await File.WriteAllTextAsync(file, script, TestContext.Current.CancellationToken);
        try
        {
            await RunPsqlAsync(file);
        }
        finally
        {
            File.Delete(file);
        }

        await using (var owner = NpgsqlDataSource.Create(ConnectionString(Owner)))
            Assert.Equal(EmbeddedSqlMigrations.All.Count, (await new SchemaMigrator(owner, NullLogger.Instance).ApplyAsync(TestContext.Current.CancellationToken)).Count);

        await using var app = NpgsqlDataSource.Create(ConnectionString(App));
        Assert.Empty(await new SchemaMigrator(app, NullLogger.Instance).ApplyAsync(TestContext.Current.CancellationToken));
        await using (var insert = app.CreateCommand("INSERT INTO pcrs_heartbeats (grain_key, silo) VALUES ('roles', 'test')"))
            Assert.Equal(1, await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        foreach (var ddl in new[] { "CREATE TABLE intruder (x int)", "DROP TABLE pcrs_heartbeats", "ALTER TABLE pcrs_heartbeats ADD COLUMN y int" })
        {
            await using var command = app.CreateCommand(ddl);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        var pending = SqlMigration.FromScript("9999_pending.sql", "CREATE TABLE pending_change (x int);");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new SchemaMigrator(app, NullLogger.Instance).ApplyAsync([.. EmbeddedSqlMigrations.All, pending], TestContext.Current.CancellationToken));
        Assert.Contains("Pcrs.Silo migrate", error.Message, StringComparison.Ordinal);
    }

    private static async Task RunPsqlAsync(string file)
    {
        var start = new ProcessStartInfo("psql", ["-h", Peers.Host, "-p", Peers.PostgreSql.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-v", "owner_password='o'", "-v", "app_password='a'", "-f", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var psql = Process.Start(start)!;
        string output = await psql.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)
            + await psql.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await psql.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(psql.ExitCode == 0, output);
    }
}
