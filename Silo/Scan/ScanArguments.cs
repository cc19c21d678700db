using System.Globalization;

namespace Pcrs.Silo.Scan;

/// <summary>The scan verb's command line: <c>scan &lt;storage-url&gt; [--json] [--user NAME] [--password-env VAR]
/// [--max-connections N] [--pipeline-depth N] [--insecure] [--trust SHA256:…]…</c>. A pipeline depth of null keeps the
/// <c>Scanning:HttpPipelineDepth</c> default.</summary>
internal sealed record ScanArguments(
    string Url,
    bool Json,
    string? User,
    string? PasswordVariable,
    int MaxConnections,
    bool Insecure,
    IReadOnlyList<string> Trust,
    int? PipelineDepth = null)
{
    public const string Usage =
        "Usage: Pcrs.Silo scan <storage-url> [--json] [--user NAME] [--password-env VAR] [--max-connections N] [--pipeline-depth N] [--insecure] [--trust SHA256:...]";

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with one clear sentence when they are wrong.</summary>
    public static ScanArguments Parse(IReadOnlyList<string> args)
    {
        string? url = null, user = null, passwordVariable = null;
        bool json = false, insecure = false;
        int maxConnections = 4;
        int? pipelineDepth = null;
        var trust = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                    throw new ArgumentException($"{arg} needs a value.");
                return args[++i];
            }
            switch (arg)
            {
                case "--json":
                    json = true;
                    break;
                case "--insecure":
                    insecure = true;
                    break;
                case "--user":
                    user = Value();
                    break;
                case "--password-env":
                    passwordVariable = Value();
                    break;
                case "--max-connections":
                    string text = Value();
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out maxConnections) || maxConnections is < 1 or > 64)
                        throw new ArgumentException($"--max-connections must be a whole number from 1 to 64, not '{text}'.");
                    break;
                case "--pipeline-depth":
                    string depthText = Value();
                    if (!int.TryParse(depthText, NumberStyles.None, CultureInfo.InvariantCulture, out int depth) || depth is < 1 or > 16)
                        throw new ArgumentException($"--pipeline-depth must be a whole number from 1 to 16, not '{depthText}'.");
                    pipelineDepth = depth;
                    break;
                case "--trust":
                    string pin = Value();
                    if (!pin.StartsWith("SHA256:", StringComparison.Ordinal) || pin.Length < 10)
                        throw new ArgumentException($"--trust expects a fingerprint of the form SHA256:<base64>, not '{pin}'.");
                    trust.Add(pin);
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal))
                        throw new ArgumentException($"Unknown option {arg}.");
                    if (url is not null)
                        throw new ArgumentException($"Only one storage URL is expected; '{arg}' is extra.");
                    url = arg;
                    break;
            }
        }
        if (url is null)
            throw new ArgumentException("The storage URL is missing.");
        return new ScanArguments(url, json, user, passwordVariable, maxConnections, insecure, trust, pipelineDepth);
    }
}
