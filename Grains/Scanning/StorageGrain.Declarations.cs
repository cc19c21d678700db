using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Declarations: each deliverable's own credentials, proven before they count. A declaration is written whole in one
/// statement as verifying, then proven off the activation (a login with its own scheme, user, password and pins). The
/// outcomes are applied one at a time (<see cref="_decisions"/>): proven, it is attached and may become the crawl's
/// credential; refused, it keeps the server's reason and nothing else changes. Two proven passwords for one account are
/// settled by asking the server again (a changed password loses), then by which password the server needed.
/// </summary>
public sealed partial class StorageGrain
{
    private readonly SemaphoreSlim _decisions = new(1, 1);
    private readonly CancellationTokenSource _deactivating = new();

    public async Task<StorageScanView> Declare(StorageDeclaration declaration)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        var location = LocationOf(declaration);
        if (!string.Equals(location.IdentityKey, Key, StringComparison.Ordinal))
            throw new ArgumentException($"The declaration names the storage '{location.IdentityKey}', not '{Key}'.", nameof(declaration));
        if (_row is null)
        {
            _row = new StorageRow
            {
                StorageKey = Key,
                Scheme = StorageLocation.ProtocolScheme(location.Protocol),
                Host = location.Host,
                Port = location.Port,
                UserName = location.UserName,
                RescanPeriod = _options.DefaultRescanPeriod,
            };
            await catalogue.SaveStorageAsync(_row);
        }
        var previous = await catalogue.GetDeclarationAsync(declaration.DeliverableId);
        long revision = await catalogue.SaveDeclarationAsync(new DeclarationRow
        {
            DeliverableId = declaration.DeliverableId,
            StorageKey = Key,
            Scheme = StorageLocation.ProtocolScheme(location.Protocol),
            UserName = location.UserName,
            StartPath = location.Path,
            ProtectedSecret = declaration.ProtectedPassword,
            // Absent pins keep this declaration's own (never another's).
            TrustPins = declaration.TrustPins ?? (previous?.StorageKey == Key ? previous.TrustPins : []),
            RescanDays = declaration.RescanDays,
            PublicConnection = declaration.PublicConnection,
            DownloadAllowed = declaration.DownloadAllowed,
        });
        LogDeclared(logger, declaration.DeliverableId, Key, location.Path, revision);
        if (_row.CrawlCredential == declaration.DeliverableId)
        {
            // The crawl's login is being replaced by one not proven yet: the crawl moves to another proven login (or waits).
            await _decisions.WaitAsync();
            try
            {
                await ChooseCrawlCredentialAsync(exclude: declaration.DeliverableId);
            }
            finally
            {
                _decisions.Release();
            }
        }
        StartProof(declaration.DeliverableId, revision);
        return View();
    }

    public async Task Detach(string deliverableId)
    {
        await catalogue.DeleteDeclarationAsync(deliverableId);
        if (_row is null)
            return;
        await _decisions.WaitAsync();
        try
        {
            if (_row.CrawlCredential == deliverableId)
                await ChooseCrawlCredentialAsync(exclude: deliverableId);
            await ApplyRescanPeriodAsync();
            if (_row.CrawlCredential is null)
                await StopScanWhenUnattachedAsync();
        }
        finally
        {
            _decisions.Release();
        }
        LogDetached(logger, deliverableId, Key);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Proofs in flight stop; their declarations stay verifying and are proven again on the next activation.
        _deactivating.Cancel();
        _watchdogTimer?.Dispose();
        _progressTimer?.Dispose();
        ScanMetrics.ScanEnded(Key); // counted again by the silo that activates it next
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task ResumeProofsAsync(CancellationToken cancellationToken)
    {
        foreach (var declaration in await catalogue.ListDeclarationsAsync(Key, cancellationToken))
        {
            if (declaration.State == DeclarationState.Verifying)
                StartProof(declaration.DeliverableId, declaration.Revision);
        }
    }

    /// <summary>Proves in the background (the declaring call has returned); the outcome is applied on the activation.</summary>
    private void StartProof(string deliverableId, long revision) => _ = ProveAndApplyAsync(deliverableId, revision);

    private async Task ProveAndApplyAsync(string deliverableId, long revision)
    {
        try
        {
            var declaration = await catalogue.GetDeclarationAsync(deliverableId);
            if (declaration is null || declaration.Revision != revision || declaration.State != DeclarationState.Verifying)
                return;
            var token = _deactivating.Token;
            // Off the activation: a login may block on sockets and TLS; the grain keeps serving meanwhile.
            var result = await Task.Run(() => prover.ProveAsync(declaration, token), token);
            if (token.IsCancellationRequested)
                return;
            await _decisions.WaitAsync(token);
            try
            {
                await ApplyProofAsync(declaration, result);
            }
            finally
            {
                _decisions.Release();
            }
        }
        catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The declaration stays verifying (a catalogue write timed out, the database restarted…). This activation may
            // live on for good, kept by callers polling it: it proves again after one watchdog period, as long as it lives.
            LogProofFailed(logger, e, deliverableId, Key);
            RetryProofLater(deliverableId, revision);
        }
    }

    private void RetryProofLater(string deliverableId, long revision)
    {
        IGrainTimer? once = null;
        once = this.RegisterGrainTimer(() =>
        {
            once?.Dispose();
            StartProof(deliverableId, revision);
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(_options.WatchdogPeriod, Timeout.InfiniteTimeSpan) { KeepAlive = true, Interleave = true });
    }

    /// <summary>Applies one proof's outcome (under <see cref="_decisions"/>).</summary>
    private async Task ApplyProofAsync(DeclarationRow declaration, ProofResult result)
    {
        if (result.Verdict != ProofVerdict.Proven)
        {
            await SetStateAsync(declaration, DeclarationState.Failed, result.Reason ?? "The login could not be proven.", false);
            return;
        }
        var crawl = await CrawlDeclarationAsync();
        if (crawl is null || crawl.DeliverableId == declaration.DeliverableId)
        {
            if (await SetStateAsync(declaration, DeclarationState.Proven, null, result.PasswordRequired))
                await UseForCrawlAsync(declaration.DeliverableId, newCredential: true);
            return;
        }
        if (SamePassword(declaration, crawl))
        {
            if (await SetStateAsync(declaration, DeclarationState.Proven, null, result.PasswordRequired))
                await AttachedAsync(declaration);
            return;
        }

        // Two passwords for one account, both accepted just now? Ask the server about the crawl's again: a password
        // changed on the server makes the old one fail, and every declaration holding it with it.
        var recheck = await Task.Run(() => prover.ProveAsync(crawl, _deactivating.Token));
        if (recheck.Verdict == ProofVerdict.Refused)
        {
            await FailSamePasswordAsync(crawl, $"The server no longer accepts this login: {recheck.Reason}");
            if (await SetStateAsync(declaration, DeclarationState.Proven, null, result.PasswordRequired))
                await UseForCrawlAsync(declaration.DeliverableId, newCredential: true);
            return;
        }
        if (recheck.Verdict == ProofVerdict.Proven && result.PasswordRequired && !crawl.PasswordRequired)
        {
            // The crawl's password opened a public folder only; this one was needed. Whoever declared the other password
            // did not prove it on the account: they stop seeing the results.
            if (await SetStateAsync(declaration, DeclarationState.Proven, null, true))
            {
                await FailSamePasswordAsync(crawl,
                    "The server did not need this password to list its start path, and another password for this account is proven: declare the account's password.");
                await UseForCrawlAsync(declaration.DeliverableId, newCredential: true);
            }
            return;
        }
        await SetStateAsync(declaration, DeclarationState.Failed, recheck.Verdict == ProofVerdict.Unreachable
            ? $"Another password is proven for this account, and the server could not be asked again ({recheck.Reason}); declare again later."
            : "Another password is proven for this account and the server still accepts it; this one was not needed where it was tried. Declare the account's current password.",
            false);
    }

    /// <summary>
    /// The crawl's login failed on every root: each proven declaration is asked again with its own login, so each shows
    /// its own state (a password changed on the server fails them all); the crawl moves to one still accepted.
    /// </summary>
    private async Task RecheckAfterFailedScanAsync(long scanNumber)
    {
        try
        {
            await _decisions.WaitAsync(_deactivating.Token);
            try
            {
                // Even when another scan started meanwhile: asking each proven login again is always safe.
                if (_row is null)
                    return;
                LogRecheck(logger, Key, scanNumber);
                string? before = _row.CrawlCredential;
                foreach (var declaration in (await catalogue.ListDeclarationsAsync(Key)).Where(d => d.IsProven))
                {
                    var result = await Task.Run(() => prover.ProveAsync(declaration, _deactivating.Token));
                    if (result.Verdict == ProofVerdict.Refused)
                        await SetStateAsync(declaration, DeclarationState.Failed, $"The server no longer accepts this login: {result.Reason}", false);
                }
                var crawl = await CrawlDeclarationAsync();
                if (crawl is null)
                    await ChooseCrawlCredentialAsync(exclude: null);
                if (_row.CrawlCredential is not null && _row.CrawlCredential != before)
                    await StartOrJoinScanAsync(forceNew: true, newCredential: true);
            }
            finally
            {
                _decisions.Release();
            }
        }
        catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogProofFailed(logger, e, _row?.CrawlCredential ?? "(none)", Key);
        }
    }

    /// <summary>The proven declaration the crawl uses, or null.</summary>
    private async Task<DeclarationRow?> CrawlDeclarationAsync()
    {
        if (_row?.CrawlCredential is not { } owner)
            return null;
        var declaration = await catalogue.GetDeclarationAsync(owner);
        return declaration is { IsProven: true } && declaration.StorageKey == Key ? declaration : null;
    }

    /// <summary>Moves the crawl to another proven declaration (one whose password the server needed first), or to none.</summary>
    private async Task ChooseCrawlCredentialAsync(string? exclude)
    {
        var next = (await catalogue.ListDeclarationsAsync(Key))
            .Where(d => d.IsProven && d.DeliverableId != exclude)
            .OrderByDescending(d => d.PasswordRequired).ThenBy(d => d.VerifiedAt)
            .FirstOrDefault();
        if (next is not null)
        {
            await UseForCrawlAsync(next.DeliverableId, newCredential: true);
            return;
        }
        _row = _row! with { CrawlCredential = null };
        await catalogue.SaveStorageAsync(_row);
        await UnregisterReminderAsync(RescanReminder);
        LogCrawlCredential(logger, Key, "(none)");
    }

    private async Task UseForCrawlAsync(string deliverableId, bool newCredential)
    {
        var declaration = await catalogue.GetDeclarationAsync(deliverableId);
        if (declaration is null)
            return;
        bool changed = _row!.CrawlCredential != deliverableId;
        _row = _row with { CrawlCredential = deliverableId, Scheme = declaration.Scheme };
        await catalogue.SaveStorageAsync(_row);
        if (changed)
            LogCrawlCredential(logger, Key, deliverableId);
        await ApplyRescanPeriodAsync();
        await StartOrJoinScanAsync(forceNew: true, newCredential: newCredential && changed || _row.ScanNumber == 0 || _row.Status == ScanStatus.Failed);
    }

    /// <summary>
    /// A declaration sharing the crawl's login was proven: a scan is queued only when its start path is not crawled yet,
    /// and never on top of a running one (the end of that scan starts the next: <see cref="StartUncoveredAsync"/>), so
    /// declarations arriving together share one crawl.
    /// </summary>
    private async Task AttachedAsync(DeclarationRow declaration)
    {
        await ApplyRescanPeriodAsync();
        if (IsRunning)
            return;
        if (!Covers(_row!.ScanRoots, declaration.StartPath) || _row.Status == ScanStatus.Failed || _row.ScanNumber == 0)
            await StartOrJoinScanAsync(forceNew: true);
    }

    /// <summary>After a scan: start the next one when a declaration proven meanwhile lies outside the roots it crawled.</summary>
    private async Task StartUncoveredAsync()
    {
        if (_row is null || IsRunning || _row.CrawlCredential is null)
            return;
        var roots = _row.ScanRoots;
        if ((await catalogue.ListDeclarationsAsync(Key)).Any(d => d.IsProven && !Covers(roots, d.StartPath)))
            await StartOrJoinScanAsync(forceNew: true);
    }

    private static bool Covers(IReadOnlyList<string> roots, string startPath)
    {
        string start = ScanRoots.Minimal([startPath])[0];
        return roots.Any(root => CataloguePaths.IsUnder(start, root));
    }

    /// <summary>Fails every proven declaration holding <paramref name="stale"/>'s password (it included) with <paramref name="reason"/>.</summary>
    private async Task FailSamePasswordAsync(DeclarationRow stale, string reason)
    {
        foreach (var declaration in (await catalogue.ListDeclarationsAsync(Key)).Where(d => d.IsProven && SamePassword(d, stale)))
            await SetStateAsync(declaration, DeclarationState.Failed, reason, false);
    }

    private async Task<bool> SetStateAsync(DeclarationRow declaration, DeclarationState state, string? reason, bool passwordRequired)
    {
        bool set = await catalogue.SetDeclarationStateAsync(declaration.DeliverableId, declaration.Revision, state, reason, passwordRequired,
            DateTimeOffset.UtcNow);
        if (set)
        {
            LogDeclarationState(logger, declaration.DeliverableId, Key, state.ToString(), reason ?? "");
            GrainFactory.GetGrain<Interfaces.Projects.IDeliverableGrain>(declaration.DeliverableId).SummaryChanged(_row?.ScanNumber ?? 0).Ignore();
        }
        return set;
    }

    /// <summary>The shortest rescan period any attached declaration asked for (the deployment's default otherwise).</summary>
    private async Task ApplyRescanPeriodAsync()
    {
        var days = (await catalogue.ListDeclarationsAsync(Key)).Where(d => d.IsProven && d.RescanDays is not null).Select(d => d.RescanDays!.Value).ToList();
        var period = days.Count == 0 ? _options.DefaultRescanPeriod : TimeSpan.FromDays(days.Min());
        if (_row!.RescanPeriod != period)
        {
            _row = _row with { RescanPeriod = period };
            await catalogue.SaveStorageAsync(_row);
        }
        await EnsureRescanReminderAsync();
    }

    /// <summary>Compares two declarations' passwords inside the silo (decrypted here only, in constant time).</summary>
    private bool SamePassword(DeclarationRow a, DeclarationRow b)
    {
        if (a.ProtectedSecret is null || b.ProtectedSecret is null)
            return a.ProtectedSecret is null && b.ProtectedSecret is null;
        try
        {
            return CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(protector.Unprotect(a.ProtectedSecret)), Encoding.UTF8.GetBytes(protector.Unprotect(b.ProtectedSecret)));
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deliverable {DeliverableId} declared {StorageKey} at {StartPath} (revision {Revision}); verifying")]
    private static partial void LogDeclared(ILogger logger, string deliverableId, string storageKey, string startPath, long revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deliverable {DeliverableId} detached from {StorageKey}")]
    private static partial void LogDetached(ILogger logger, string deliverableId, string storageKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Declaration of {DeliverableId} on {StorageKey}: {State} {Reason}")]
    private static partial void LogDeclarationState(ILogger logger, string deliverableId, string storageKey, string state, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The crawl of {StorageKey} now uses the login declared by {DeliverableId}")]
    private static partial void LogCrawlCredential(ILogger logger, string storageKey, string deliverableId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scan {ScanNumber} of {StorageKey} could not list any root: every proven login is asked again")]
    private static partial void LogRecheck(ILogger logger, string storageKey, long scanNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proving the declaration of {DeliverableId} on {StorageKey} failed; it stays verifying and is proven again after one watchdog period")]
    private static partial void LogProofFailed(ILogger logger, Exception exception, string deliverableId, string storageKey);
}
