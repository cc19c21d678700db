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
    public void Masks_passwords_in_connection_strings_and_urls(string text, string expected) =>
        Assert.Equal(expected, SecretMaskingEnricher.MaskSecrets(text));

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
