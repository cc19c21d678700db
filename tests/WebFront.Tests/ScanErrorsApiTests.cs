using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Scanning;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// <c>GET …/errors</c> lists the files the last scan could not read and the folders it could not list, each with its
/// reason: public for a proven declaration, without the storage's address when the connection is not public, without a
/// password, and gone (404) once the storage is revoked.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ScanErrorsApiTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    [Fact]
    public async Task Failed_folders_and_files_in_error_are_listed_with_their_reasons()
    {
        var token = TestContext.Current.CancellationToken;
        var project = await web.CreateProjectAsync("Erreurs de parcours");
        await using var server = StorageWithErrors.Start();
        string d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        using var anonymous = web.Client();
        // Before any declaration: nothing to show.
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{d}/errors", token)).StatusCode);
        using var editor = web.Client(project.EditorKey);
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{server.Port}/", ["publicConnection"] = false, ["downloadAllowed"] = false,
        }, token);
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        var scan = await ScanStates.SettledAsync(anonymous, d);
        Assert.Equal("partial", scan["status"]!.GetValue<string>()); // a folder could not be listed for a server error

        var errors = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/errors", token));
        var directories = errors["directories"]!.AsArray();
        var refused = Assert.Single(directories);
        Assert.Equal("/refuse", refused!["path"]!.GetValue<string>());
        var reason = refused["error"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(reason));
        Assert.False(errors["directoriesTruncated"]!.GetValue<bool>());
        var file = Assert.Single(errors["files"]!.AsArray());
        Assert.Equal("/casse.tif", file!["path"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(file["error"]!.GetValue<string>()));
        Assert.False(errors["truncated"]!.GetValue<bool>());
        // The connection is not public: no answer names the server's address.
        string body = errors.ToJsonString();
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);

        // The limit applies to each list, and is checked.
        var one = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/errors?limit=1", token));
        Assert.Single(one["directories"]!.AsArray());
        var bad = await anonymous.GetAsync($"{d}/errors?limit=0", token);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("limit", await bad.Content.ReadAsStringAsync(token), StringComparison.Ordinal);

        // Revoked: the storage's errors are no one's business any more.
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"{d}/storage", token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{d}/errors", token)).StatusCode);
    }

    [Fact]
    public void Public_error_text_hides_a_private_address_and_any_password()
    {
        var declaration = new DeclarationRow
        {
            DeliverableId = "d", StorageKey = "ftp://u@ftp.example.org:2121", Scheme = "ftp", Host = "ftp.example.org", Port = 2121,
            StartPath = "/pcrs", PublicConnection = false,
        };
        string error = "Connection refused (ftp.example.org:2121) while listing /pcrs/a via ftp://u:s3cret@FTP.example.org/pcrs";
        string shown = PublicErrorText.For(error, declaration);
        Assert.DoesNotContain("example.org", shown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret", shown, StringComparison.Ordinal);
        Assert.Contains("/pcrs/a", shown, StringComparison.Ordinal);
        // A public connection shows its address (the owner published it), never a password.
        string open = PublicErrorText.For(error, declaration with { PublicConnection = true });
        Assert.Contains("ftp.example.org:2121", open, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", open, StringComparison.Ordinal);
    }
}
