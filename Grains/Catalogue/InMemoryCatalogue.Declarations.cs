using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>Declarations in memory, with the PostgreSQL semantics (revision, compare-and-set of the proof's outcome).</summary>
public sealed partial class InMemoryCatalogue
{
    public Task<DeclarationRow?> GetDeclarationAsync(string deliverableId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_declarations.TryGetValue(deliverableId, out var row) ? WithStorage(row) : null);
    }

    public Task<IReadOnlyList<DeclarationRow>> ListDeclarationsAsync(string storageKey, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<DeclarationRow> rows = _declarations.Values.Where(d => d.StorageKey == storageKey)
                .OrderBy(d => d.DeliverableId, StringComparer.Ordinal).Select(WithStorage).OfType<DeclarationRow>().ToList();
            return Task.FromResult(rows);
        }
    }

    public Task<IReadOnlyList<DeclarationRow>> GetDeclarationsAsync(IReadOnlyCollection<string> deliverableIds, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<DeclarationRow> rows = deliverableIds.Distinct(StringComparer.Ordinal)
                .Select(id => _declarations.TryGetValue(id, out var row) ? WithStorage(row) : null).OfType<DeclarationRow>().ToList();
            return Task.FromResult(rows);
        }
    }

    public Task<long> SaveDeclarationAsync(DeclarationRow declaration, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            long revision = (_declarations.GetValueOrDefault(declaration.DeliverableId)?.Revision ?? 0) + 1;
            _declarations[declaration.DeliverableId] = declaration with
            {
                State = DeclarationState.Verifying,
                StateError = null,
                VerifiedAt = null,
                PasswordRequired = false,
                Revision = revision,
            };
            return Task.FromResult(revision);
        }
    }

    public Task<bool> SetDeclarationStateAsync(string deliverableId, long revision, DeclarationState state, string? error, bool passwordRequired,
        DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_declarations.TryGetValue(deliverableId, out var row) || row.Revision != revision)
                return Task.FromResult(false);
            _declarations[deliverableId] = row with { State = state, StateError = error, PasswordRequired = passwordRequired, VerifiedAt = at };
            return Task.FromResult(true);
        }
    }

    public Task DeleteDeclarationAsync(string deliverableId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            _declarations.Remove(deliverableId);
        return Task.CompletedTask;
    }

    /// <summary>The row with its storage's host and port, as the PostgreSQL join reads it; null when the storage is gone (call under the lock).</summary>
    private DeclarationRow? WithStorage(DeclarationRow row) =>
        _storages.TryGetValue(row.StorageKey, out var storage) ? row with { Host = storage.Host, Port = storage.Port } : null;
}
