using Pcrs.Grains.Hosting.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Pcrs.Hosting.Tests;

/// <summary>Passwords never reach a log sink, whatever property carries them.</summary>
public sealed class SecretMaskingTests
{
    [Theory]
    [InlineData("Host=db;Port=5432;Username=pcrs;Password=s3cret;Database=pcrs", "Host=db;Port=5432;Username=pcrs;Password=***;Database=pcrs")]
    [InlineData("host=db;PWD = 's3;cret';x=1", "host=db;PWD =***;x=1")]
    [InlineData("ftp://peer:peerpass@127.0.0.1:2121/dir/", "ftp://peer:***@127.0.0.1:2121/dir/")]
    [InlineData("sftp://peer@127.0.0.1:2222/", "sftp://peer@127.0.0.1:2222/")]
    [InlineData("nothing secret here", "nothing secret here")]
    [InlineData("http://u:p@h/ and ftp://v:q@[::1]:21/", "http://u:***@h/ and ftp://v:***@[::1]:21/")]
    [InlineData("http://127.0.0.1:8081|/photos@2x/", "http://127.0.0.1:8081|/photos@2x/")]
    [InlineData("ftp://peer@127.0.0.1:2121|/a:b@c.tif", "ftp://peer@127.0.0.1:2121|/a:b@c.tif")]
    [InlineData("http://127.0.0.1:8081|@x", "http://127.0.0.1:8081|@x")]
    public void Masks_passwords_in_connection_strings_and_urls(string text, string expected) =>
        Assert.Equal(expected, SecretMaskingEnricher.MaskSecrets(text));

    [Theory]
    [InlineData(100_000)]
    [InlineData(400_000)]
    public void Masking_a_long_value_is_linear(int letters)
    {
        // The regular expression this replaced backtracked from every letter: 2.2 s for 400,000 letters.
        string[] values = [new string('a', letters), "http://" + new string('a', letters), "ftp://u:" + new string('p', letters) + "@h/",
            "password" + new string(' ', letters), string.Concat(Enumerable.Repeat("a://", letters / 4))];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var value in values)
            SecretMaskingEnricher.MaskSecrets(value);
        TestContext.Current.SendDiagnosticMessage($"{values.Length} values of {letters} characters masked in {clock.ElapsedMilliseconds} ms");
        Assert.Equal("ftp://u:***@h/", SecretMaskingEnricher.MaskSecrets(values[2]));
    }

    [Fact]
    public void A_logged_connection_string_reaches_the_sink_masked()
    {
        var sink = new CollectingSink();
        using (Logger logger = new LoggerConfiguration().Enrich.With<SecretMaskingEnricher>().WriteTo.Sink(sink).CreateLogger())
        {
            logger.Information("Connecting with {ConnectionString}", "Host=h;Password=hunter2");
        }

        LogEvent logged = Assert.Single(sink.Events);
        Assert.DoesNotContain("hunter2", logged.RenderMessage(), StringComparison.Ordinal);
        Assert.Contains("Password=***", logged.RenderMessage(), StringComparison.Ordinal);
    }

    private sealed class CollectingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }
}
