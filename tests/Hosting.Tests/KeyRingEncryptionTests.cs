using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Catalogue.Database;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Hosting.Tests.Support;
using Pcrs.TestSupport;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// The Data Protection key ring in PostgreSQL is encrypted with a key kept in a file outside the database: a dump of the
/// database holds no key material, the same key file reads the secrets back, and a different one stops the process at start.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeyRingEncryptionTests : IAsyncLifetime
{
    private const string Password = "k3y-ring-test-pa55word";

    private readonly TestDatabase _database = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("pcrs-keyring-").FullName;

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        await new SchemaMigrator(_database.DataSource, NullLogger.Instance).ApplyAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Stored_keys_hold_no_key_material_and_the_same_key_file_reads_secrets_back()
    {
        string keyFile = Path.Combine(_folder, "a.key");
        string protectedText;
        await using (ServiceProvider first = Services(keyFile))
        {
            protectedText = first.GetRequiredService<ISecretProtector>().Protect(Password);
        }

        Assert.True(File.Exists(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        string keyRing = await _database.ScalarAsync<string>("SELECT string_agg(xml, '') FROM data_protection_keys") ?? "";
        Assert.Contains("<pcrsEncryptedKey", keyRing);
        Assert.DoesNotContain("<masterKey", keyRing);
        Assert.DoesNotContain("<value>", keyRing);

        await using ServiceProvider second = Services(keyFile);
        await CheckAsync(second);
        Assert.Equal(Password, second.GetRequiredService<ISecretProtector>().Unprotect(protectedText));
    }

    [Fact]
    public async Task Another_key_file_stops_the_process_at_start_with_a_clear_error()
    {
        await using (ServiceProvider first = Services(Path.Combine(_folder, "a.key")))
        {
            first.GetRequiredService<ISecretProtector>().Protect(Password);
        }

        await using ServiceProvider other = Services(Path.Combine(_folder, "b.key"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CheckAsync(other));
        Assert.Contains("Secrets:KeyFile", error.Message);
        Assert.Contains(Path.Combine(_folder, "b.key"), error.Message);
    }

    [Fact]
    public async Task Processes_creating_the_key_file_together_all_get_the_same_key()
    {
        string keyFile = Path.Combine(_folder, "race", "shared.key");
        KeyEncryptionKey[] keys = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(_ => Task.Run(() => KeyEncryptionKey.LoadOrCreate(keyFile))));

        Assert.Single(keys.Select(k => k.Fingerprint).Distinct());
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(keyFile)!));
    }

    /// <summary>The backup procedure of deploy/README.md: the dump and the key file, kept apart, restore everything.</summary>
    [Fact]
    public async Task A_dump_restored_into_a_fresh_database_reads_its_secrets_with_the_same_key_file_only()
    {
        var ct = TestContext.Current.CancellationToken;
        string keyFile = Path.Combine(_folder, "backup.key");
        string protectedText;
        await using (ServiceProvider first = Services(keyFile))
        {
            protectedText = first.GetRequiredService<ISecretProtector>().Protect(Password);
        }
        string dumpFile = Path.Combine(_folder, "pcrs.sql");
        await File.WriteAllTextAsync(dumpFile, await PgDump.RunAsync(_database.Name), ct);

        await using var restored = new TestDatabase();
        await restored.InitializeAsync();
        await PgDump.RestoreAsync(restored.Name, dumpFile);

        // The schema and its migration history came with the dump: a start migrates nothing.
        Assert.Empty(await new SchemaMigrator(restored.DataSource, NullLogger.Instance).ApplyAsync(ct));
        await using (ServiceProvider again = Services(keyFile, restored.ConnectionString))
        {
            await CheckAsync(again);
            Assert.Equal(Password, again.GetRequiredService<ISecretProtector>().Unprotect(protectedText));
        }
        // The dump without its key file decrypts nothing, and says which setting to fix.
        await using ServiceProvider other = Services(Path.Combine(_folder, "other.key"), restored.ConnectionString);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CheckAsync(other));
        Assert.Contains("Secrets:KeyFile", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("c2hvcnQ=")]
    public void A_damaged_key_file_is_refused_with_its_path(string content)
    {
        string keyFile = Path.Combine(_folder, "damaged.key");
        File.WriteAllText(keyFile, content);

        var error = Assert.Throws<InvalidDataException>(() => KeyEncryptionKey.Load(keyFile));
        Assert.Contains(keyFile, error.Message);
    }

    private static Task CheckAsync(ServiceProvider services) =>
        services.GetServices<IHostedService>().OfType<KeyRingCheck>().Single().StartAsync(TestContext.Current.CancellationToken);

    private ServiceProvider Services(string keyFile, string? connectionString = null)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Pcrs"] = connectionString ?? _database.ConnectionString,
                ["Secrets:KeyFile"] = keyFile,
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(configuration);
        services.AddPcrsServices(configuration);
        ServiceProvider provider = services.BuildServiceProvider();
        // Data Protection caches the key ring per provider; touching the options here makes each provider read the
        // repository afresh, as a new process would.
        _ = provider.GetRequiredService<IOptions<KeyManagementOptions>>().Value;
        return provider;
    }
}
