using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>
/// Stops a process at start when its key-encryption key cannot open the key ring in the database. Data Protection itself
/// would only log the failure, create a fresh key, and leave every stored password unreadable with a vague error later.
/// </summary>
public sealed class KeyRingCheck(IOptions<KeyManagementOptions> options, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.XmlRepository is not { } repository)
        {
            return Task.CompletedTask;
        }

        var decryptor = new KeyRingXmlDecryptor(services);
        try
        {
            foreach (var element in repository.GetAllElements())
            {
                foreach (var encrypted in element.Descendants(KeyRingXmlEncryptor.ElementName))
                {
                    decryptor.Decrypt(encrypted);
                }
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // A database without the key ring table has no keys to check yet.
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
