using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Pcrs.WebFront.Problems;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Every English error sentence the server writes where a page can show it has a stable code (WebFront/Problems), read
/// from the sources themselves: the messages given to storage and format exceptions, to crawl and declaration
/// outcomes, to validation errors and problem details. A sentence added without its code fails here (and
/// LabelsBrowserTests fails for a code without its French). The API sends the codes beside the English.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ErrorSentencesTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    /// <summary>Where the sentences are written, and the calls that write one (the message is a literal among their arguments).</summary>
    private static readonly (string Folder, string[] Writers)[] Sources =
    [
        ("Grains/Storage", ["new StorageException(", "new InvalidDataException(", "Refusal = ", "RejectionReason = ", "string said = "]),
        ("Grains/Formats", ["new FormatReadException(", "new FormatException(", ": Exception("]),
        ("Grains/Scanning", ["new StorageException(", "SetStateAsync(", "FailSamePasswordAsync(", "new ProofResult(", "string error = ", "Error = \"",
            "LastError = ", "Bound(long", "TileRows.StorageFailure(", "InvalidOperationException(\"No tile"]),
        ("Grains/Projects", ["new DeliverableOutcome("]),
        ("WebFront/Validation", ["errors.Add(", "e.Add("]),
        ("WebFront/Apis", ["errors.Add(", "] = [", "title: ", "detail: "]),
        ("WebFront/Auth", ["title: ", "detail: ", "Title = ", "Detail = ", "Forbidden(\""]),
        ("WebFront/Projects", ["errors.Add("]),
        ("WebFront", ["message = ", "Title = ", "Detail = "]),
    ];

    /// <summary>The sentences the writers are given, holes filled with a sample value; literals joined by + are one sentence.</summary>
    public static IEnumerable<(string File, string Sentence)> WrittenSentences()
    {
        var root = WebFrontFixture.RepositoryRoot();
        foreach (var (folder, writers) in Sources)
        {
            var option = folder == "WebFront" ? SearchOption.TopDirectoryOnly : SearchOption.AllDirectories;
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", option))
            {
                if (file.Contains("/obj/", StringComparison.Ordinal) || file.Contains("/bin/", StringComparison.Ordinal))
                    continue;
                var source = File.ReadAllText(file);
                foreach (var writer in writers)
                {
                    for (int at = source.IndexOf(writer, StringComparison.Ordinal); at >= 0; at = source.IndexOf(writer, at + 1, StringComparison.Ordinal))
                    {
                        foreach (var sentence in Literals(source, at + writer.Length - (writer.EndsWith('"') ? 1 : 0)))
                        {
                            if (IsSentence(sentence))
                                yield return (Path.GetRelativePath(root, file), sentence);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The string literals of the statement starting at <paramref name="at"/> (to its ';'), those joined by '+' as one;
    /// an interpolation hole, whatever it holds (nested literals included), becomes a sample value.
    /// </summary>
    private static List<string> Literals(string source, int at)
    {
        var result = new List<string>();
        var current = new System.Text.StringBuilder();
        bool joined = false;
        int i = at, depth = 0;
        while (i < source.Length)
        {
            char c = source[i];
            if (c == ';' && depth == 0)
                break;
            if (c is '(' or '[' or '{')
                depth++;
            else if (c is ')' or ']' or '}')
                depth--;
            if (c == '"' || (c == '$' && i + 1 < source.Length && source[i + 1] == '"'))
            {
                bool interpolated = c == '$';
                i = ReadLiteral(source, interpolated ? i + 2 : i + 1, interpolated, out var text);
                if (!joined && current.Length > 0)
                {
                    result.Add(current.ToString());
                    current.Clear();
                }
                current.Append(text);
                joined = false;
                continue;
            }
            if (c == '+' && current.Length > 0)
                joined = true;
            else if (!char.IsWhiteSpace(c) && c != '+')
                joined = false;
            if (depth < 0)
                break;
            i++;
        }
        if (current.Length > 0)
            result.Add(current.ToString());
        return result;
    }

    /// <summary>Reads a literal's body from <paramref name="i"/> (after its opening quote); returns the index after its closing quote.</summary>
    private static int ReadLiteral(string source, int i, bool interpolated, out string text)
    {
        var body = new System.Text.StringBuilder();
        while (i < source.Length && source[i] != '"')
        {
            char c = source[i];
            if (c == '\\' && i + 1 < source.Length)
            {
                body.Append(source[i + 1] switch { 'n' => '\n', '"' => '"', '\\' => '\\', var other => other });
                i += 2;
            }
            else if (interpolated && c == '{' && i + 1 < source.Length && source[i + 1] == '{')
            {
                body.Append('{');
                i += 2;
            }
            else if (interpolated && c == '}' && i + 1 < source.Length && source[i + 1] == '}')
            {
                body.Append('}');
                i += 2;
            }
            else if (interpolated && c == '{')
            {
                // A hole: skip to its closing brace, over nested braces and literals.
                int depth = 0;
                while (i < source.Length)
                {
                    if (source[i] == '"')
                    {
                        i = ReadLiteral(source, i + 1, interpolated: false, out _);
                        continue;
                    }
                    if (source[i] == '{')
                        depth++;
                    else if (source[i] == '}' && --depth == 0)
                        break;
                    i++;
                }
                body.Append('7');
                i++;
            }
            else
            {
                body.Append(c);
                i++;
            }
        }
        text = body.ToString();
        return i + 1;
    }

    // A message, not a field name, a setting, a route or a format code: words with spaces, starting with a capital or a quote.
    private static bool IsSentence(string text) =>
        text.Length >= 8 && text.Contains(' ', StringComparison.Ordinal) && (char.IsUpper(text[0]) || text[0] is '"' or '\'' or '7')
        && text.Count(char.IsLetter) > text.Length / 2;

    [Fact]
    public void Every_sentence_the_sources_write_has_a_code()
    {
        var written = WrittenSentences().ToList();
        // The reading of the sources itself: it must find the sentences of each kind of writer, or it would prove nothing.
        Assert.True(written.Count > 200, $"only {written.Count} sentences found");
        Assert.Contains(written, w => w.Sentence == "The file is empty.");
        Assert.Contains(written, w => w.Sentence.StartsWith("The port must be between 1 and 65535", StringComparison.Ordinal));
        var missing = written.Where(w => ErrorSentences.Identify(w.Sentence) is null).Select(w => $"{w.File}: {w.Sentence}").Distinct().ToList();
        Assert.True(missing.Count == 0, "Sentences without a code:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Codes_are_unique_and_a_reason_inside_a_reason_is_coded_in_turn()
    {
        Assert.Equal(ErrorSentences.All.Count, ErrorSentences.All.Select(s => s.Code).Distinct().Count());
        var coded = ErrorSentences.Identify("Reading /d/a.tif failed: The server denies access to \"/d/a.tif\" (403).")!;
        Assert.Equal("file.read-failed", coded.Code);
        Assert.Equal("/d/a.tif", coded.Args[0]);
        var inner = Assert.IsType<CodedError>(coded.Args[1]);
        Assert.Equal("http.denied", inner.Code);
        Assert.Equal("\"/d/a.tif\"", inner.Args[0]);

        // A partial scan's error is several sentences, each coded.
        var partial = ErrorSentences.Identify(Grains.Scanning.ScanOutcome.PartialError(2, 1, "The server refused the login for the directory \"/x/\" (401).", 1))!;
        Assert.Equal(ErrorSentences.Joined, partial.Code);
        Assert.Equal(["scan.partial-server", "scan.partial-bounded", "scan.first"], partial.Args.Cast<CodedError>().Select(c => c.Code));
        Assert.Null(ErrorSentences.Identify("Something nobody wrote."));

        // A folder's listing error is stored prefixed by its path (DirectoryGrain), inside a partial scan's "First:".
        var first = ErrorSentences.Identify("First: /refuse: The server failed (500) for the directory \"/refuse\".")!;
        var prefixed = Assert.IsType<CodedError>(first.Args[0]);
        Assert.Equal("scan.path-reason", prefixed.Code);
        Assert.Equal("http.failed", Assert.IsType<CodedError>(prefixed.Args[1]).Code);
    }

    [Fact]
    public void Every_sentence_matches_in_time_linear_in_the_text_without_a_clock()
    {
        // A wall-clock timeout fired on a loaded machine and broke the project page: the engine must be linear instead.
        Assert.All(ErrorSentences.All, s =>
        {
            Assert.True(s.Pattern.Options.HasFlag(RegexOptions.NonBacktracking), s.Code);
            Assert.Equal(Regex.InfiniteMatchTimeout, s.Pattern.MatchTimeout);
        });
        // A near miss of a four-hole template (no final full stop), as long as Identify takes: a backtracking engine
        // tries the placements of the four holes among 190 repeats (Python's, on this pattern: 0.002 s at 20 repeats,
        // 0.12 s at 40, so minutes at 190); the linear engine answers "unknown" after one pass.
        var nearMiss = "The JPEG 2000 image area " + string.Concat(Enumerable.Repeat("1x2 with origin 3,4 ", 190)) + "is empty or too large";
        Assert.True(nearMiss.Length < 4000, "Identify must not skip it as too long");
        Assert.Null(ErrorSentences.Identify(nearMiss));
        Assert.Equal("jp2.image-area", ErrorSentences.Identify(nearMiss + ".")!.Code);
    }

    [Fact]
    public void Sentences_are_cut_between_an_end_and_a_capital_or_a_count_only()
    {
        Assert.Equal(["2 folders were not crawled.", "First: /x: gone."], ErrorSentences.SplitSentences("2 folders were not crawled. First: /x: gone."));
        Assert.Equal(["(3 files)", "12 folders"], ErrorSentences.SplitSentences("(3 files) 12 folders"));
        Assert.Equal(["Stop!", "Go"], ErrorSentences.SplitSentences("Stop! Go"));
        Assert.Equal(["e.g. the file, a.tif is gone."], ErrorSentences.SplitSentences("e.g. the file, a.tif is gone."));
        Assert.Equal(["Ends. "], ErrorSentences.SplitSentences("Ends. "));
        Assert.Equal([""], ErrorSentences.SplitSentences(""));
    }

    [Fact]
    public async Task Problems_carry_the_codes_of_their_sentences_beside_the_english()
    {
        var token = TestContext.Current.CancellationToken;
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var body = WebFrontFixture.SampleProject("ab");
        body["regime"] = "nouveau";
        var response = await admin.PostAsJsonAsync("/api/projects", body, token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await WebFrontFixture.ReadJsonAsync(response);
        Assert.Equal("At least 3 characters.", problem["errors"]!["name"]![0]!.GetValue<string>()); // the English stays
        Assert.Equal("project.name-short", problem["errorCodes"]!["name"]![0]!["code"]!.GetValue<string>());
        var regime = problem["errorCodes"]!["regime"]![0]!;
        Assert.Equal("field.unknown-value", regime["code"]!.GetValue<string>());
        Assert.Equal("nouveau", regime["args"]![0]!.GetValue<string>());
        Assert.Equal("request.validation-title", problem["titleCode"]!["code"]!.GetValue<string>());

        // A refusal with a title and a detail: another project's editor key.
        var other = await web.CreateProjectAsync("Autre projet");
        var mine = await web.CreateProjectAsync("Mon projet");
        using var editor = web.Client(other.EditorKey);
        var forbidden = await editor.PutAsJsonAsync($"/api/projects/{mine.Id}", WebFrontFixture.SampleProject("Mon projet"), token);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var refusal = await WebFrontFixture.ReadJsonAsync(forbidden);
        Assert.Equal("auth.other-project", refusal["detailCode"]!["code"]!.GetValue<string>());
        Assert.Equal("auth.forbidden-title", refusal["titleCode"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public void The_storage_placeholder_and_server_replies_stay_data()
    {
        var coded = ErrorSentences.Identify("Logging in to the storage as 'pcrs': the FTP server answered '530 Login incorrect.'.")!;
        Assert.Equal("ftp.answered", coded.Code);
        var what = Assert.IsType<CodedError>(coded.Args[0]);
        Assert.Equal("what.login", what.Code);
        Assert.Equal("what.the-storage", Assert.IsType<CodedError>(what.Args[0]).Code);
        Assert.Equal("530 Login incorrect.", coded.Args[1]);
    }
}
