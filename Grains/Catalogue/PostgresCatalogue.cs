using Npgsql;
using NpgsqlTypes;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>The catalogue on PostgreSQL (tables from deploy/sql/0100_catalogue.sql). Plain Npgsql; batched writes.</summary>
public sealed partial class PostgresCatalogue(NpgsqlDataSource dataSource) : ICatalogue
{
    /// <summary>Rows per multi-row statement: large enough to amortise round trips, small enough to keep statements short.</summary>
    private const int EntryChunk = 2000;

    public async Task<StorageRow?> GetStorageAsync(string storageKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT scheme, host, port, user_name, crawl_credential, host_key, rescan_period, scan_number, scan_roots,
                   status, scan_started_at, progress_directories, progress_files, progress_analysed, progress_unchanged,
                   progress_errors, progress_bytes_read, last_success_at, last_summary::text, last_error
            FROM pcrs_storages WHERE storage_key = $1
            """);
        command.Parameters.AddWithValue(storageKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new StorageRow
        {
            StorageKey = storageKey,
            Scheme = reader.GetString(0),
            Host = reader.GetString(1),
            Port = reader.GetInt32(2),
            UserName = NullableString(reader, 3),
            CrawlCredential = NullableString(reader, 4),
            HostKey = NullableString(reader, 5),
            RescanPeriod = reader.GetTimeSpan(6),
            ScanNumber = reader.GetInt64(7),
            ScanRoots = reader.GetFieldValue<string[]>(8),
            Status = ScanStatusText.Parse(reader.GetString(9)),
            ScanStartedAt = NullableTime(reader, 10),
            Progress = new ScanProgress(reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt64(16)),
            LastSuccessAt = NullableTime(reader, 17),
            LastSummaryJson = NullableString(reader, 18),
            LastError = NullableString(reader, 19),
        };
    }

    public async Task SaveStorageAsync(StorageRow storage, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO pcrs_storages (storage_key, scheme, host, port, user_name, crawl_credential, host_key, rescan_period,
                scan_number, scan_roots, status, scan_started_at, progress_directories, progress_files, progress_analysed,
                progress_unchanged, progress_errors, progress_bytes_read, last_success_at, last_summary, last_error, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::jsonb, $21, now())
            ON CONFLICT (storage_key) DO UPDATE SET scheme = EXCLUDED.scheme, host = EXCLUDED.host, port = EXCLUDED.port,
                user_name = EXCLUDED.user_name, crawl_credential = EXCLUDED.crawl_credential,
                host_key = coalesce(pcrs_storages.host_key, EXCLUDED.host_key), rescan_period = EXCLUDED.rescan_period, scan_number = EXCLUDED.scan_number,
                scan_roots = EXCLUDED.scan_roots, status = EXCLUDED.status, scan_started_at = EXCLUDED.scan_started_at,
                progress_directories = EXCLUDED.progress_directories, progress_files = EXCLUDED.progress_files,
                progress_analysed = EXCLUDED.progress_analysed, progress_unchanged = EXCLUDED.progress_unchanged,
                progress_errors = EXCLUDED.progress_errors, progress_bytes_read = EXCLUDED.progress_bytes_read,
                last_success_at = EXCLUDED.last_success_at, last_summary = EXCLUDED.last_summary, last_error = EXCLUDED.last_error,
                updated_at = now()
            """);
        var p = command.Parameters;
        p.AddWithValue(storage.StorageKey);
        p.AddWithValue(storage.Scheme);
        p.AddWithValue(storage.Host);
        p.AddWithValue(storage.Port);
        p.Add(OrNull(storage.UserName));
        p.Add(OrNull(storage.CrawlCredential));
        p.Add(OrNull(storage.HostKey));
        p.AddWithValue(storage.RescanPeriod);
        p.AddWithValue(storage.ScanNumber);
        p.AddWithValue(storage.ScanRoots.ToArray());
        p.AddWithValue(ScanStatusText.ToText(storage.Status));
        p.Add(NullableTime(storage.ScanStartedAt));
        p.AddWithValue(storage.Progress.Directories);
        p.AddWithValue(storage.Progress.Files);
        p.AddWithValue(storage.Progress.Analysed);
        p.AddWithValue(storage.Progress.Unchanged);
        p.AddWithValue(storage.Progress.Errors);
        p.AddWithValue(storage.Progress.BytesRead);
        p.Add(NullableTime(storage.LastSuccessAt));
        p.Add(OrNull(storage.LastSummaryJson));
        p.Add(OrNull(storage.LastError));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task PinHostKeyAsync(string storageKey, string fingerprint, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE pcrs_storages SET host_key = $2 WHERE storage_key = $1 AND host_key IS NULL");
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(fingerprint);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordScanAsync(ScanRow scan, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO pcrs_scans (storage_key, scan_number, started_at, finished_at, status, directories, files, analysed, unchanged, errors, bytes_read, error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (storage_key, scan_number) DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                status = EXCLUDED.status, directories = EXCLUDED.directories, files = EXCLUDED.files, analysed = EXCLUDED.analysed,
                unchanged = EXCLUDED.unchanged, errors = EXCLUDED.errors, bytes_read = EXCLUDED.bytes_read, error = EXCLUDED.error
            """);
        var p = command.Parameters;
        p.AddWithValue(scan.StorageKey);
        p.AddWithValue(scan.ScanNumber);
        p.AddWithValue(scan.StartedAt.ToUniversalTime());
        p.Add(NullableTime(scan.FinishedAt));
        p.AddWithValue(ScanStatusText.ToHistoryText(scan.Status));
        p.AddWithValue(scan.Counts.Directories);
        p.AddWithValue(scan.Counts.Files);
        p.AddWithValue(scan.Counts.Analysed);
        p.AddWithValue(scan.Counts.Unchanged);
        p.AddWithValue(scan.Counts.Errors);
        p.AddWithValue(scan.Counts.BytesRead);
        p.Add(OrNull(scan.Error));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddBatch(NpgsqlBatch batch, string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        batch.BatchCommands.Add(command);
    }

    private static NpgsqlParameter ArrayOf<T>(T[] values, NpgsqlDbType elementType) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | elementType };

    private static NpgsqlParameter OrNull<T>(T? value) => new() { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter NullableTime(DateTimeOffset? value) =>
        new() { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static long? NullableLong(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    private static int? NullableInt(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
