using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Secrets;

namespace Pcrs.Benchmarks.Cluster;

/// <summary>
/// Passwords of the storage list as cipher text of the deployment's key ring (the silos' database and key file): the
/// grains only ever receive protected passwords, so the driver protects them as the web front does.
/// </summary>
internal static class KeyRing
{
    public static string?[] ProtectAll(List<StorageLine> storages, DriverOptions options)
    {
        if (storages.All(s => s.Password is null))
            return new string?[storages.Count];
        if (options.KeyFile is null)
            throw new ArgumentException("--key-file is required when a storage has a password (the silos' Secrets:KeyFile).");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Pcrs"] = options.ConnectionString,
            ["Secrets:KeyFile"] = options.KeyFile,
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddPcrsServices(configuration).BuildServiceProvider();
        var protector = services.GetRequiredService<ISecretProtector>();
        return storages.Select(s => s.Password is null ? null : protector.Protect(s.Password)).ToArray();
    }
}
