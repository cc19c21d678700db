using Microsoft.Extensions.Logging;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>How a proof ended: the login worked, the server refused it, or the server could not be reached to tell.</summary>
public enum ProofVerdict
{
    Proven,
    Refused,
    Unreachable,
}

/// <summary>
/// A proof's outcome. <see cref="PasswordRequired"/>: the password was needed to list the start path (always, for a
/// protocol whose login is account-wide; on HTTP only when the same listing without credentials is refused), so it
/// says something about the account and not only about a public folder.
/// </summary>
public sealed record ProofResult(ProofVerdict Verdict, string? Reason, bool PasswordRequired);

/// <summary>
/// Proves a declaration: a login with exactly its scheme (TLS mode included), user, password and trusted fingerprints,
/// and one listing of its start path, through a client of its own under the storage's connection leases. Runs outside
/// grain turns (the caller awaits it off the activation); keeps no state.
/// </summary>
public sealed partial class DeclarationProver(StorageClientCache clients, ILogger<DeclarationProver> logger)
{
    /// <summary>A proof never waits longer than this (connection leases included): past it, the server is unreachable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan[] Retries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    public async Task<ProofResult> ProveAsync(DeclarationRow declaration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        // Plain HTTP with no login: no credentials, no TLS, no pins, so nothing to prove (and no request to spend on a
        // server that may count them). The scan tells whether the folder can be listed.
        if (declaration.Scheme == "http" && declaration.UserName is null && declaration.ProtectedSecret is null)
            return new ProofResult(ProofVerdict.Proven, null, false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        var own = await ListOnceAsync(declaration, deadline.Token);
        if (own.Verdict != ProofVerdict.Proven)
        {
            LogProof(logger, declaration.DeliverableId, declaration.StorageKey, own.Verdict.ToString(), own.Reason ?? "");
            return own;
        }
        bool required = declaration.ProtectedSecret is not null;
        if (required && declaration.Scheme is "http" or "https")
        {
            // Basic authentication is per path: a public folder lists with any password. The password proves something
            // about the account only where the server asks for it.
            var anonymous = await ListOnceAsync(declaration with { UserName = null, ProtectedSecret = null }, deadline.Token);
            required = anonymous.Verdict == ProofVerdict.Refused;
        }
        LogProof(logger, declaration.DeliverableId, declaration.StorageKey, own.Verdict.ToString(), required ? "password required" : "no password required");
        return own with { PasswordRequired = required };
    }

    private async Task<ProofResult> ListOnceAsync(DeclarationRow declaration, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await using var client = clients.CreateProbe(declaration);
                await foreach (var _ in client.ListAsync(declaration.StartPath, cancellationToken))
                    break; // one entry (or none) is enough: the server accepted the login and answered the listing
                return new ProofResult(ProofVerdict.Proven, null, false);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
            {
                // Logged in; the start path is missing. The scan will name it on this deliverable alone.
                return new ProofResult(ProofVerdict.Proven, e.Message, false);
            }
            catch (StorageException e) when (e.Kind is StorageErrorKind.Transient or StorageErrorKind.TooManyConnections)
            {
                if (attempt >= Retries.Length)
                    return new ProofResult(ProofVerdict.Unreachable, e.Message, false);
                await Task.Delay(Retries[attempt], cancellationToken);
            }
            catch (StorageException e)
            {
                return new ProofResult(ProofVerdict.Refused, e.Message, false);
            }
            catch (OperationCanceledException)
            {
                return new ProofResult(ProofVerdict.Unreachable, $"The server did not answer within {Timeout.TotalSeconds:0} s.", false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Declaration of {DeliverableId} on {StorageKey}: {Verdict} ({Detail})")]
    private static partial void LogProof(ILogger logger, string deliverableId, string storageKey, string verdict, string detail);
}
