using System.Net;
using Microsoft.Extensions.Logging;
using Renci.SshNet;

namespace Pcrs.Grains.Storage.Sftp;

/// <summary>
/// Opens one logged-in <see cref="SftpClient"/>: resolves the host through the address guard and connects to a checked
/// IP (never to the name, so DNS cannot change the answer between check and connect), checks the host key, and logs in
/// with the password, falling back to keyboard-interactive with the same password for servers that only offer that.
/// </summary>
internal sealed class SftpConnector(
    StorageLocation location,
    StorageCredentials credentials,
    StorageTrust trust,
    IAddressGuard guard,
    StorageAccessOptions options,
    ILogger logger)
{
    /// <summary>Ciphers offered first, when the server has them (the rest of SSH.NET's list follows, unchanged).</summary>
    internal static readonly string[] PreferredCiphers = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"];

    private readonly string _storage = location.IdentityKey;

    public async Task<SftpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        string user = credentials.UserName ?? location.UserName
            ?? throw new StorageException(StorageErrorKind.Invalid, $"SFTP needs a user name for {_storage}.");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ConnectTimeout);
        try
        {
            var addresses = await guard.ResolveAsync(location.Host, deadline.Token).ConfigureAwait(false);
            if (addresses.Length == 0)
                throw new StorageException(StorageErrorKind.Transient, $"The host of {_storage} has no address.");
            string? remembered = trust.HostKeys is null ? null
                : await trust.HostKeys.GetAsync(_storage, deadline.Token).ConfigureAwait(false);

            StorageException? lastFailure = null;
            foreach (var address in addresses)
            {
                guard.EnsureAllowed(address);
                try
                {
                    return await ConnectToAsync(address, user, remembered, deadline.Token).ConfigureAwait(false);
                }
                catch (StorageException error) when (error.Kind == StorageErrorKind.Transient && !deadline.IsCancellationRequested)
                {
                    // Another address of the same host may answer.
                    lastFailure = error;
                }
            }
            throw lastFailure!;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StorageException(StorageErrorKind.Transient,
                $"Connecting to {_storage} took longer than {options.ConnectTimeout.TotalSeconds:0} s.");
        }
    }

    private async Task<SftpClient> ConnectToAsync(IPAddress address, string user, string? remembered, CancellationToken cancellationToken)
    {
        var hostKeys = new SftpHostKeyCheck(trust, _storage, remembered);
        var client = new SftpClient(BuildConnectionInfo(address, user))
        {
            OperationTimeout = options.OperationTimeout,
        };
        client.HostKeyReceived += (_, e) => e.CanTrust = hostKeys.Check(e.FingerPrintSHA256);
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            if (hostKeys.ShouldSave)
            {
                await trust.HostKeys!.SaveAsync(_storage, hostKeys.Presented!, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Pinned the SSH host key {Fingerprint} of {Storage} on first use.", hostKeys.Presented, _storage);
            }
            return client;
        }
        catch (Exception error)
        {
            client.Dispose();
            if (hostKeys.Refusal is not null)
                throw new StorageException(StorageErrorKind.Trust, hostKeys.Refusal, error);
            if (error is OperationCanceledException)
                throw;
            throw SftpErrors.Map(error, _storage, "/") ?? new StorageException(StorageErrorKind.Transient,
                $"Connecting to {_storage} failed: {error.Message}", error);
        }
    }

    private ConnectionInfo BuildConnectionInfo(IPAddress address, string user)
    {
        string password = credentials.Password ?? "";
        var keyboard = new KeyboardInteractiveAuthenticationMethod(user);
        // Servers with PAM challenge-response ask "Password:" this way; every prompt gets the same password.
        keyboard.AuthenticationPrompt += (_, e) =>
        {
            foreach (var prompt in e.Prompts)
                prompt.Response = password;
        };
        var info = new ConnectionInfo(address.ToString(), location.Port, user, new PasswordAuthenticationMethod(user, password), keyboard)
        {
            Timeout = options.ConnectTimeout,
            // Retries belong to the caller, with backoff; SSH.NET's own would hammer a server that drops bursts (MaxStartups).
            RetryAttempts = 1,
        };
        PreferAesGcm(info);
        return info;
    }

    /// <summary>
    /// Offers AES-GCM before SSH.NET's default AES-CTR + HMAC-SHA2: an AEAD through .NET's hardware AES, where CTR mode is
    /// built in managed code on single blocks and followed by a separate MAC. Listing a 20,000-entry tree on OpenSSH took
    /// about half the client CPU (tests/Benchmarks/Listing/NOTES.md). Both are among OpenSSH's default ciphers; the key
    /// exchange is left as SSH.NET orders it (post-quantum hybrid first), as it protects the password.
    /// </summary>
    private static void PreferAesGcm(ConnectionInfo info)
    {
        for (int i = PreferredCiphers.Length - 1; i >= 0; i--)
        {
            if (info.Encryptions.ContainsKey(PreferredCiphers[i]))
                info.Encryptions.SetPosition(PreferredCiphers[i], 0);
        }
    }
}
