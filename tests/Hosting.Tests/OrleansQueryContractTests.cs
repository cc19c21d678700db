using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pcrs.Grains.Catalogue.Database;
using Pcrs.Hosting.Tests.Support;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// The stored queries, run the way the Orleans ADO.NET providers run them (text from orleansquery, bare parameter
/// names, UTC times): the version gate is all-or-nothing, heartbeats never move the version, reminder ETags change.
/// </summary>
public sealed class OrleansQueryContractTests : IAsyncLifetime
{
    private const string Cluster = "contract";
    private readonly TestDatabase _database = new();
    private readonly DateTime _now = new(2026, 11, 29, 12, 0, 0, 123, DateTimeKind.Utc);

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        await new SchemaMigrator(_database.DataSource, NullLogger.Instance).ApplyAsync();
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private async Task<List<object?[]>> RunAsync(string key, params (string Name, object? Value)[] parameters)
    {
        string? text = await _database.ScalarAsync<string>($"SELECT querytext FROM orleansquery WHERE querykey = '{key}'");
        Assert.NotNull(text);
        await using NpgsqlCommand command = _database.DataSource.CreateCommand(text);
        foreach ((string name, object? value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value)
            {
                DbType = value switch { int => System.Data.DbType.Int32, DateTime => System.Data.DbType.DateTime, _ => System.Data.DbType.String },
            });
        }

        var rows = new List<object?[]>();
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(ct);
        do
        {
            while (await reader.ReadAsync(ct))
            {
                var row = new object?[reader.FieldCount];
                reader.GetValues(row!);
                rows.Add(row);
            }
        }
        while (await reader.NextResultAsync(ct));

        return rows;
    }

    private async Task<int> BooleanAsync(string key, params (string, object?)[] parameters)
    {
        List<object?[]> rows = await RunAsync(key, parameters);
        Assert.Single(rows);
        return Convert.ToInt32(rows[0][0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private Task<int> VersionAsync() =>
        _database.ScalarAsync<int>($"SELECT version FROM orleans_membership_versions WHERE deployment_id = '{Cluster}'");

    private (string, object?)[] Member(int version, int status = 1) =>
    [
        ("DeploymentId", Cluster), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", 42), ("SiloName", "s1"),
        ("HostName", "h1"), ("Status", status), ("ProxyPort", 30000), ("StartTime", _now), ("IAmAliveTime", _now),
        ("Version", version),
    ];

    [Fact(Timeout = 60_000)]
    public async Task Membership_writes_pass_the_version_gate_or_change_nothing()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        Assert.Equal(1, await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", Cluster)));
        Assert.Equal(0, await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", Cluster)));

        Assert.Equal(0, await BooleanAsync("InsertMembershipKey", Member(version: 5)));
        Assert.Equal(0, await VersionAsync());
        Assert.Equal(1, await BooleanAsync("InsertMembershipKey", Member(version: 0)));
        Assert.Equal(1, await VersionAsync());
        Assert.Equal(0, await BooleanAsync("InsertMembershipKey", Member(version: 1))); // same silo twice
        Assert.Equal(1, await VersionAsync());

        (string, object?)[] update =
        [
            ("DeploymentId", Cluster), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", 42), ("Status", 3),
            ("SuspectTimes", null), ("IAmAliveTime", _now.AddSeconds(5)), ("Version", 0),
        ];
        Assert.Equal(0, await BooleanAsync("UpdateMembershipKey", update));
        update[^1] = ("Version", 1);
        Assert.Equal(1, await BooleanAsync("UpdateMembershipKey", update));
        Assert.Equal(2, await VersionAsync());

        await RunAsync("UpdateIAmAlivetimeKey", ("DeploymentId", Cluster), ("Address", "127.0.0.1"), ("Port", 11111),
            ("Generation", 42), ("IAmAliveTime", _now.AddSeconds(10)));
        Assert.Equal(2, await VersionAsync());

        List<object?[]> all = await RunAsync("MembershipReadAllKey", ("DeploymentId", Cluster));
        Assert.Single(all);
        List<object?[]> gateways = await RunAsync("GatewaysQueryKey", ("DeploymentId", Cluster), ("Status", 3));
        Assert.Equal(30000, Assert.Single(gateways)[1]);
        List<object?[]> missing = await RunAsync("MembershipReadRowKey", ("DeploymentId", Cluster), ("Address", "10.0.0.1"),
            ("Port", 1), ("Generation", 1));
        Assert.Single(missing); // the version row alone
    }

    [Fact(Timeout = 60_000)]
    public async Task Only_a_dead_silo_as_it_was_read_is_cleaned_up()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", Cluster));
        await BooleanAsync("InsertMembershipKey", Member(version: 0, status: 6));
        (string, object?)[] entry =
        [
            ("DeploymentId", Cluster), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", 42),
            ("SuspectTimes", null), ("StartTime", _now), ("IAmAliveTime", _now.AddSeconds(1)),
        ];
        await RunAsync("CleanupDefunctSiloEntryKey", entry);
        Assert.Equal(1, await _database.ScalarAsync<int>("SELECT count(*) FROM orleans_members"));

        entry[^1] = ("IAmAliveTime", _now);
        await RunAsync("CleanupDefunctSiloEntryKey", entry);
        Assert.Equal(0, await _database.ScalarAsync<int>("SELECT count(*) FROM orleans_members"));
        Assert.Equal(1, await VersionAsync()); // the version row stays
    }

    [Fact(Timeout = 60_000)]
    public async Task Reminder_etag_changes_on_every_upsert_and_guards_the_delete()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        (string, object?)[] upsert =
        [
            ("ServiceId", "svc"), ("GrainId", "heartbeat/a"), ("ReminderName", "beat"), ("StartTime", _now),
            ("Period", 60000), ("GrainHash", -5),
        ];
        Assert.Equal(0, (await RunAsync("UpsertReminderRowKey", upsert))[0][0]);
        Assert.Equal(1, (await RunAsync("UpsertReminderRowKey", upsert))[0][0]);

        Assert.Single(await RunAsync("ReadRangeRows1Key", ("ServiceId", "svc"), ("BeginHash", -10), ("EndHash", -5)));
        Assert.Empty(await RunAsync("ReadRangeRows1Key", ("ServiceId", "svc"), ("BeginHash", -5), ("EndHash", 100)));
        Assert.Single(await RunAsync("ReadRangeRows2Key", ("ServiceId", "svc"), ("BeginHash", 0), ("EndHash", 0)));

        (string, object?)[] delete =
            [("ServiceId", "svc"), ("GrainId", "heartbeat/a"), ("ReminderName", "beat"), ("Version", 0)];
        Assert.Equal(0, await BooleanAsync("DeleteReminderRowKey", delete));
        delete[^1] = ("Version", 1);
        Assert.Equal(1, await BooleanAsync("DeleteReminderRowKey", delete));
        Assert.Empty(await RunAsync("ReadReminderRowsKey", ("ServiceId", "svc"), ("GrainId", "heartbeat/a")));
    }
}
