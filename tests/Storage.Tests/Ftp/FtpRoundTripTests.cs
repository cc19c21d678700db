using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Ftp;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>
/// Round trips a range read does not wait for (behind latency each costs a whole round trip per file): REST goes out with
/// its RETR, and the NOOP that brings a connection back in step after an aborted transfer is answered behind the next
/// command. The scripted server holds those replies until the next command arrives, so a client that waited would hang.
/// </summary>
public sealed class FtpRoundTripTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Bigger than loopback socket buffers: a read of its first bytes cuts the transfer short (426).</summary>
    private static readonly byte[] Big = MakeFile(8 * 1024 * 1024);

    private static byte[] MakeFile(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    private static FtpStorageClient Client(ScriptedFtpServer server) =>
        new(StorageLocation.Parse($"ftp://127.0.0.1:{server.Port}/", out _), new StorageCredentials("peer", "secret-pass"),
            new TestConnectionLimiter(1), StorageTrust.Default, new LoopbackOnlyGuard(),
            // One attempt and a short timeout: a client waiting for a held reply fails instead of being retried.
            new StorageAccessOptions { ConnectTimeout = TimeSpan.FromSeconds(10), OperationTimeout = TimeSpan.FromSeconds(10), MaxAttempts = 1 },
            // No health-check NOOP however long a loaded machine pauses between reads: the tests count the NOOPs sent.
            new TestOutputLogger(), FtpClientSettings.Default with { HealthCheckAfter = TimeSpan.FromHours(1) });

    private static ScriptedFtpServer Server(ScriptedFtpBehaviour behaviour)
    {
        behaviour.AddDirectory("/d", []);
        behaviour.Files["/d/big.tif"] = Big;
        return new ScriptedFtpServer(behaviour);
    }

    [Fact]
    public async Task Rest_leaves_with_its_retr_without_waiting_for_its_reply()
    {
        var behaviour = new ScriptedFtpBehaviour();
        behaviour.ReplyOnlyAfterNextCommand.Add("REST");
        await using var server = Server(behaviour);
        await using var client = Client(server);

        foreach (long offset in new long[] { 1000, 5_000_000, Big.Length - 100 })
        {
            var buffer = new byte[4096];
            var read = await client.ReadRangeAsync("/d/big.tif", offset, buffer, Ct);
            int expected = (int)Math.Min(4096, Big.Length - offset);
            Assert.Equal(expected, read.BytesRead);
            Assert.Equal(Big[(int)offset..((int)offset + expected)], buffer[..expected]);
        }
        Assert.Equal(1, server.SessionsAccepted);
    }

    [Fact]
    public async Task The_noop_after_an_aborted_read_is_answered_behind_the_next_command()
    {
        var behaviour = new ScriptedFtpBehaviour();
        behaviour.ReplyOnlyAfterNextCommand.Add("NOOP");
        await using var server = Server(behaviour);
        await using var client = Client(server);

        // Each read stops after 4 KiB of 8 MiB: the transfer is aborted, and the connection is reused for the next.
        for (int i = 0; i < 4; i++)
        {
            long offset = i * 100_000L;
            var buffer = new byte[4096];
            var read = await client.ReadRangeAsync("/d/big.tif", offset, buffer, Ct);
            Assert.Equal(4096, read.BytesRead);
            Assert.Equal(Big[(int)offset..((int)offset + 4096)], buffer);
        }
        Assert.Empty(await client.ListAsync("/d", Ct).ToListAsync(Ct));
        Assert.Equal(1, server.SessionsAccepted);
    }

    [Fact]
    public async Task The_next_reads_epsv_leaves_with_the_noop_after_an_aborted_read()
    {
        await using var server = Server(new ScriptedFtpBehaviour());
        await using var client = Client(server);

        var buffer = new byte[4096];
        Assert.Equal(4096, (await client.ReadRangeAsync("/d/big.tif", 0, buffer, Ct)).BytesRead);
        // No other read was asked for, yet the next one's EPSV is already on its way behind the NOOP. The wait is only a
        // guard against hanging: a client that sends EPSV when the next read starts never gets here.
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(60));
            while (server.Verbs.LastOrDefault() != "EPSV" || server.Verbs.Count(v => v == "EPSV") < 2)
                await Task.Delay(20, wait.Token);
        }

        for (int i = 1; i <= 3; i++)
        {
            long offset = i * 100_000L;
            Assert.Equal(4096, (await client.ReadRangeAsync("/d/big.tif", offset, buffer, Ct)).BytesRead);
            Assert.Equal(Big[(int)offset..((int)offset + 4096)], buffer);
        }
        // Each read took the EPSV sent after the previous one: one EPSV per read, plus the one waiting for a next read
        // (written before the last read returned; waited for here only because the server logs it on its own thread).
        string[] afterLogin = [];
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(60));
            while ((afterLogin = [.. server.Verbs.SkipWhile(v => v != "TYPE").Skip(1)]).Length < 16)
                await Task.Delay(20, wait.Token);
        }
        Assert.Equal(["EPSV", "RETR", "NOOP", "EPSV", "REST", "RETR", "NOOP", "EPSV", "REST", "RETR", "NOOP", "EPSV", "REST", "RETR", "NOOP", "EPSV"],
            afterLogin);
        Assert.Equal(1, server.SessionsAccepted);
    }

    [Fact]
    public async Task Cwd_and_epsv_leave_together_before_a_listing()
    {
        var behaviour = new ScriptedFtpBehaviour();
        behaviour.ReplyOnlyAfterNextCommand.Add("CWD");
        behaviour.AddDirectory("/e", ["-rw-r--r--    1 ftp      ftp          4096 Dec 01 10:00 a.tif"u8.ToArray()]);
        await using var server = Server(behaviour);
        await using var client = Client(server);

        for (int i = 0; i < 3; i++)
        {
            var entries = await client.ListAsync("/e", Ct).ToListAsync(Ct);
            Assert.Equal("a.tif", Assert.Single(entries).Name);
            Assert.Empty(await client.ListAsync("/d", Ct).ToListAsync(Ct));
        }
        // A missing directory still fails as missing, and the EPSV sent with its CWD does not put the session out of step.
        var missing = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/nowhere", Ct).ToListAsync(Ct));
        Assert.Equal(StorageErrorKind.NotFound, missing.Kind);
        var buffer = new byte[4096];
        Assert.Equal(4096, (await client.ReadRangeAsync("/d/big.tif", 0, buffer, Ct)).BytesRead);
        Assert.Equal(Big[..4096], buffer);
        Assert.Equal(1, server.SessionsAccepted);
    }

    [Fact]
    public async Task A_refused_rest_ends_the_transfer_it_let_start_and_fails_clearly()
    {
        await using var server = Server(new ScriptedFtpBehaviour { RefuseRest = true });
        await using var client = Client(server);

        var error = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/d/big.tif", 1000, new byte[4096], Ct));
        Assert.Contains("REST", error.Message);

        // The RETR sent with the refused REST started from 0; it was ended, and the same session still reads correctly.
        var buffer = new byte[4096];
        var read = await client.ReadRangeAsync("/d/big.tif", 0, buffer, Ct);
        Assert.Equal(4096, read.BytesRead);
        Assert.Equal(Big[..4096], buffer);
        Assert.Equal(1, server.SessionsAccepted);
    }
}
