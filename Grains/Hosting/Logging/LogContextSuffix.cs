using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Pcrs.Grains.Hosting.Logging;

/// <summary>
/// Writes the scan scope (storage, scan number) and the trace id at the end of each console line, when there are any:
/// the console template cannot leave out the brackets of a property that is absent.
/// </summary>
internal sealed class LogContextSuffix : ILogEventEnricher
{
    public const string PropertyName = "Context";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var parts = new List<string>(3);
        if (logEvent.Properties.TryGetValue("StorageKey", out var storage) && storage is ScalarValue { Value: string key })
            parts.Add("storage=" + key);
        if (logEvent.Properties.TryGetValue("ScanNumber", out var scan) && scan is ScalarValue { Value: { } number })
            parts.Add("scan=" + Convert.ToString(number, CultureInfo.InvariantCulture));
        if (logEvent.TraceId is { } trace)
            parts.Add("trace=" + trace.ToHexString());
        logEvent.AddOrUpdateProperty(new LogEventProperty(PropertyName,
            new ScalarValue(parts.Count == 0 ? "" : " {" + string.Join(' ', parts) + "}")));
    }
}
