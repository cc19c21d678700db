using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Pcrs.Grains.Projects;

/// <summary>A project as stored, with its deliverables in order.</summary>
public sealed record StoredProject(
    Guid Id,
    ProjectDocument Document,
    IReadOnlyList<StoredDeliverable> Deliverables,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A deliverable as stored. Its storage declaration belongs to the scanner (read through ICatalogueReader).</summary>
public sealed record StoredDeliverable(Guid Id, Guid ProjectId, DeliverableDocument Document);

/// <summary>A project's last change: "created", "updated" or "deleted" (a deleted project's name is not kept in the answer).</summary>
public sealed record ProjectChange(Guid Id, string? Name, string Action, DateTimeOffset At);

/// <summary>A storage event of a deliverable: "storage_revoked", "storage_replaced" or "deliverable_removed".</summary>
public sealed record DeliverableEvent(long Id, Guid ProjectId, Guid DeliverableId, string Kind, string? StorageKind, DateTimeOffset At);

/// <summary>Counts and latest times of the project tables: equal versions mean equal project-side exports.</summary>
public sealed record ProjectsVersion(long Projects, long Deleted, DateTimeOffset? LastChange);

/// <summary>Outcome of a full project update.</summary>
public enum ProjectUpdateOutcome
{
    Updated,
    ProjectNotFound,
    /// <summary>A deliverable id in the body does not belong to the project.</summary>
    UnknownDeliverable,
}

public sealed record ProjectUpdateResult(
    ProjectUpdateOutcome Outcome,
    int UnknownDeliverableIndex = -1,
    IReadOnlyList<Guid>? RemovedDeliverables = null);

/// <summary>
/// PostgreSQL persistence of projects and deliverables (tables of deploy/sql/0200_projects.sql). Storage declarations
/// are not here: the StorageGrain owns them (deploy/sql/0110), and callers revoke those of removed deliverables.
/// Plain Npgsql, no Orleans types, so the web front and the project grains can both use it.
/// </summary>
public sealed class ProjectStore(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<Guid>> CreateAsync(
        Guid id, ProjectDocument document, IReadOnlyList<DeliverableDocument> deliverables, string editorKeyHash,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO pcrs_projects (id, name, document, editor_key_hash) VALUES ($1, $2, $3, $4)", connection, transaction))
        {
            insert.Parameters.Add(new() { Value = id });
            insert.Parameters.Add(new() { Value = document.Name });
            insert.Parameters.Add(new() { Value = JsonSerializer.Serialize(document, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new() { Value = editorKeyHash });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        var ids = new List<Guid>(deliverables.Count);
        for (int i = 0; i < deliverables.Count; i++)
        {
            var deliverableId = Guid.CreateVersion7();
            await UpsertDeliverableAsync(connection, transaction, deliverableId, id, i, deliverables[i], cancellationToken);
            ids.Add(deliverableId);
        }
        await transaction.CommitAsync(cancellationToken);
        return ids;
    }

    /// <summary>Projects that are not deleted, oldest first, without their deliverables.</summary>
    public async Task<IReadOnlyList<(Guid Id, ProjectDocument Document)>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<(Guid, ProjectDocument)>();
        await using var command = dataSource.CreateCommand(
            "SELECT id, document FROM pcrs_projects WHERE deleted_at IS NULL ORDER BY created_at, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            result.Add((reader.GetGuid(0), Deserialize<ProjectDocument>(reader.GetString(1))));
        return result;
    }

    /// <summary>A project that is not deleted, with its deliverables; null when absent or deleted.</summary>
    public async Task<StoredProject?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        ProjectDocument document;
        DateTimeOffset created, updated;
        await using (var command = new NpgsqlCommand(
            "SELECT document, created_at, updated_at FROM pcrs_projects WHERE id = $1 AND deleted_at IS NULL", connection))
        {
            command.Parameters.Add(new() { Value = id });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
                return null;
            document = Deserialize<ProjectDocument>(reader.GetString(0));
            created = reader.GetFieldValue<DateTimeOffset>(1);
            updated = reader.GetFieldValue<DateTimeOffset>(2);
        }
        var deliverables = new List<StoredDeliverable>();
        await using (var command = new NpgsqlCommand(
            "SELECT d.id, d.document FROM pcrs_deliverables d WHERE d.project_id = $1 ORDER BY d.position", connection))
        {
            command.Parameters.Add(new() { Value = id });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                deliverables.Add(new StoredDeliverable(reader.GetGuid(0), id, Deserialize<DeliverableDocument>(reader.GetString(1))));
            }
        }
        return new StoredProject(id, document, deliverables, created, updated);
    }

    /// <summary>
    /// Replaces the project document and its deliverables: entries with an id update that deliverable, entries without
    /// get a new id, deliverables missing from the list are removed (the caller revokes their storages: <see cref="ProjectUpdateResult.RemovedDeliverables"/>).
    /// </summary>
    public async Task<ProjectUpdateResult> UpdateAsync(
        Guid id, ProjectDocument document, IReadOnlyList<DeliverableEntry> deliverables, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = new NpgsqlCommand(
            "UPDATE pcrs_projects SET name = $2, document = $3, updated_at = now() WHERE id = $1 AND deleted_at IS NULL",
            connection, transaction))
        {
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = document.Name });
            update.Parameters.Add(new() { Value = JsonSerializer.Serialize(document, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
                return new ProjectUpdateResult(ProjectUpdateOutcome.ProjectNotFound);
        }

        var existing = new HashSet<Guid>();
        await using (var select = new NpgsqlCommand(
            "SELECT id FROM pcrs_deliverables WHERE project_id = $1 FOR UPDATE", connection, transaction))
        {
            select.Parameters.Add(new() { Value = id });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                existing.Add(reader.GetGuid(0));
        }

        var kept = new List<Guid>();
        for (int i = 0; i < deliverables.Count; i++)
        {
            if (deliverables[i].Id is { } given && !existing.Contains(given))
                return new ProjectUpdateResult(ProjectUpdateOutcome.UnknownDeliverable, i);
            var deliverableId = deliverables[i].Id ?? Guid.CreateVersion7();
            kept.Add(deliverableId);
            await UpsertDeliverableAsync(connection, transaction, deliverableId, id, i, deliverables[i].Document, cancellationToken);
        }

        var dropped = existing.Except(kept).ToArray();
        if (dropped.Length > 0)
        {
            await using var delete = new NpgsqlCommand("DELETE FROM pcrs_deliverables WHERE id = ANY($1)", connection, transaction);
            delete.Parameters.Add(new() { Value = dropped });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new ProjectUpdateResult(ProjectUpdateOutcome.Updated, RemovedDeliverables: dropped);
    }

    /// <summary>Soft-deletes a project; returns its deliverables (whose storages the caller revokes). Null when absent.</summary>
    public async Task<IReadOnlyList<Guid>?> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = new NpgsqlCommand(
            "UPDATE pcrs_projects SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL", connection, transaction))
        {
            update.Parameters.Add(new() { Value = id });
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
                return null;
        }
        var deliverables = new List<Guid>();
        await using (var select = new NpgsqlCommand("SELECT id FROM pcrs_deliverables WHERE project_id = $1", connection, transaction))
        {
            select.Parameters.Add(new() { Value = id });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                deliverables.Add(reader.GetGuid(0));
        }
        await transaction.CommitAsync(cancellationToken);
        return deliverables;
    }

    /// <summary>The project (not deleted) whose editor key has this hash.</summary>
    public async Task<Guid?> FindProjectByEditorKeyHashAsync(string editorKeyHash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id FROM pcrs_projects WHERE editor_key_hash = $1 AND deleted_at IS NULL");
        command.Parameters.Add(new() { Value = editorKeyHash });
        return await command.ExecuteScalarAsync(cancellationToken) is Guid id ? id : null;
    }

    /// <summary>Replaces a live project's editor key (the old one stops working at once); false when there is no such project.</summary>
    public async Task<bool> ReplaceEditorKeyHashAsync(Guid projectId, string editorKeyHash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE pcrs_projects SET editor_key_hash = $2 WHERE id = $1 AND deleted_at IS NULL");
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = editorKeyHash });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>A deliverable of a project that is not deleted, null when absent.</summary>
    public async Task<StoredDeliverable?> GetDeliverableAsync(Guid projectId, Guid deliverableId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT d.id, d.document FROM pcrs_deliverables d " +
            "JOIN pcrs_projects p ON p.id = d.project_id AND p.deleted_at IS NULL WHERE d.project_id = $1 AND d.id = $2");
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = deliverableId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new StoredDeliverable(reader.GetGuid(0), projectId, Deserialize<DeliverableDocument>(reader.GetString(1)));
    }

    /// <summary>Every deliverable of every live project, in project and position order (exports).</summary>
    public async IAsyncEnumerable<(Guid ProjectId, ProjectDocument Project, StoredDeliverable Deliverable)> ListDeliverablesAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT p.id, p.document, d.id, d.document FROM pcrs_deliverables d " +
            "JOIN pcrs_projects p ON p.id = d.project_id AND p.deleted_at IS NULL ORDER BY p.created_at, p.id, d.position");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var projectId = reader.GetGuid(0);
            yield return (projectId, Deserialize<ProjectDocument>(reader.GetString(1)),
                new StoredDeliverable(reader.GetGuid(2), projectId, Deserialize<DeliverableDocument>(reader.GetString(3))));
        }
    }

    /// <summary>
    /// Projects created, updated or deleted at or after <paramref name="since"/>, newest first (changes.csv). A deleted
    /// project comes without its name: the platform's public file named them, which republished what an owner removed.
    /// </summary>
    public async IAsyncEnumerable<ProjectChange> ListChangesAsync(
        DateTimeOffset since, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, CASE WHEN deleted_at IS NULL THEN name END, " +
            "CASE WHEN deleted_at IS NOT NULL THEN 'deleted' WHEN updated_at > created_at THEN 'updated' ELSE 'created' END, " +
            "coalesce(deleted_at, updated_at) AS changed_at FROM pcrs_projects " +
            "WHERE coalesce(deleted_at, updated_at) >= $1 ORDER BY changed_at DESC, id");
        command.Parameters.Add(new() { Value = since.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new ProjectChange(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3));
        }
    }

    /// <summary>Storage events of deliverables of live projects (all, or one project's), newest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<DeliverableEvent>> ListDeliverableEventsAsync(Guid? projectId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT e.id, e.project_id, e.deliverable_id, e.kind, e.storage_kind, e.at FROM pcrs_deliverable_events e " +
            "JOIN pcrs_projects p ON p.id = e.project_id AND p.deleted_at IS NULL WHERE ($1::uuid IS NULL OR e.project_id = $1) " +
            "ORDER BY e.at DESC, e.id DESC LIMIT $2");
        command.Parameters.Add(new() { Value = (object?)projectId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = limit });
        var events = new List<DeliverableEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new DeliverableEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return events;
    }

    /// <summary>
    /// Records storage events for the change feed (a revocation or replacement leaves no other trace): one row per
    /// deliverable, with the kind of storage it took away (never its location). Called once the grains took the change.
    /// </summary>
    public async Task RecordDeliverableEventsAsync(IReadOnlyList<(Guid ProjectId, Guid DeliverableId, string? StorageKind)> events, string kind,
        CancellationToken cancellationToken)
    {
        if (events.Count == 0)
            return;
        await using var command = dataSource.CreateCommand(
            "INSERT INTO pcrs_deliverable_events (project_id, deliverable_id, kind, storage_kind) " +
            "SELECT u.project_id, u.deliverable_id, $4, u.storage_kind FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(project_id, deliverable_id, storage_kind)");
        command.Parameters.Add(new() { Value = events.Select(e => e.ProjectId).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.DeliverableId).ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.StorageKind).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = kind });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// What every project-side export depends on, in one row: it changes with any create, update or delete. Storage
    /// declarations are the scanner's (their version comes with the catalogue's, ITileMetadataReader.GetVersionAsync).
    /// </summary>
    public async Task<ProjectsVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM pcrs_projects), (SELECT count(*) FROM pcrs_projects WHERE deleted_at IS NOT NULL), " +
            "(SELECT max(greatest(updated_at, deleted_at)) FROM pcrs_projects)");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ProjectsVersion(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    private static async Task UpsertDeliverableAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, Guid projectId, int position,
        DeliverableDocument document, CancellationToken cancellationToken)
    {
        await using var upsert = new NpgsqlCommand(
            "INSERT INTO pcrs_deliverables (id, project_id, position, document) VALUES ($1, $2, $3, $4) " +
            "ON CONFLICT (id) DO UPDATE SET position = excluded.position, document = excluded.document", connection, transaction);
        upsert.Parameters.Add(new() { Value = id });
        upsert.Parameters.Add(new() { Value = projectId });
        upsert.Parameters.Add(new() { Value = position });
        upsert.Parameters.Add(new() { Value = JsonSerializer.Serialize(document, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"A stored {typeof(T).Name} is empty.");
}
