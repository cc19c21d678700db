using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The web front on a fresh PostgreSQL database (one per test class), with an administrator token and the loopback
/// network allowed for storages, as an operator would configure a local test.
/// </summary>
public class WebFrontFixture : IAsyncLifetime
{
    public const string AdminToken = "webfront-tests-admin-token";

    private WebApplicationFactory<Program>? _factory;

    public string DatabaseName { get; } = "webfront_" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString => Peers.PostgresAdminConnectionString(DatabaseName);

    /// <summary>Serve on a loopback port instead of the in-memory test server.</summary>
    protected virtual bool ListenOnSocket => false;

    /// <summary>Settings of one test class on top of the defaults above (e.g. a lower connection limit).</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection(Peers.PostgresAdminConnectionString()))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:Pcrs", ConnectionString);
            builder.UseSetting("Auth:AdminTokenHashes:0", Auth.AccessTokens.Hash(AdminToken));
            builder.UseSetting("Scanning:AllowedNetworks:0", "127.0.0.0/8");
            builder.UseSetting("WebFront:PublicRequestsPerMinute", "0");
            builder.UseSetting("WebFront:DownloadsPerMinute", "0");
            builder.UseSetting("Auth:FailedAttemptsPerMinute", "0"); // AuthThrottleTests sets its own
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
            // One single-node silo per test class, on ports of its own, so classes can run side by side.
            builder.UseSetting("Orleans:ClusterId", DatabaseName);
            builder.UseSetting("Orleans:Endpoints:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Orleans:Endpoints:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (ListenOnSocket)
            {
                // A port of its own: without it the host's default URL (a fixed port) applies, which another web front
                // on this machine may hold.
                builder.UseSetting("urls", "http://127.0.0.1:0");
            }
            Configure(builder);
        });
        if (ListenOnSocket)
        {
            // A real socket, for clients outside the process (the headless browser).
            _factory.UseKestrel(0);
            _factory.StartServer();
        }
        else
        {
            _ = _factory.Server;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
            await _factory.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Peers.PostgresAdminConnectionString());
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pcrs.Orleans.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }

    public HttpClient Client(string? bearer = null)
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (ListenOnSocket)
        {
            var server = Factory.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)) as Microsoft.AspNetCore.Hosting.Server.IServer;
            var address = server?.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.First();
            client.BaseAddress = new Uri(address!.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        }
        if (bearer is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>
    /// A client whose connections come from <paramref name="address"/>, another loopback address being another client
    /// (only with <see cref="ListenOnSocket"/>).
    /// </summary>
    public HttpClient ClientFrom(string address, string? bearer)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var template = Client();
        var client = new HttpClient(handler) { BaseAddress = template.BaseAddress };
        if (bearer is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>Creates a valid project with <paramref name="deliverables"/> deliverables; returns its id, editor key and deliverable ids.</summary>
    public async Task<CreatedProject> CreateProjectAsync(string name = "Métropole de Metz", int deliverables = 1)
    {
        using var client = Client(AdminToken);
        var response = await client.PostAsJsonAsync("/api/projects", SampleProject(name, deliverables));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        var json = JsonNode.Parse(body)!;
        return new CreatedProject(
            json["id"]!.GetValue<Guid>(),
            json["editorKey"]!.GetValue<string>(),
            json["deliverableIds"]!.AsArray().Select(n => n!.GetValue<Guid>()).ToArray());
    }

    public static JsonObject SampleProject(string name = "Métropole de Metz", int deliverables = 1) => new()
    {
        ["name"] = name,
        ["regime"] = "production",
        ["nature"] = "raster",
        ["budget"] = 120000,
        ["perimeters"] = new JsonArray("epci:200039865", "commune:57463"),
        ["steps"] = new JsonArray(
            new JsonObject { ["status"] = "investigation", ["startDate"] = "2017-01-01" },
            new JsonObject { ["status"] = "disponible", ["startDate"] = "2019-06-01" }),
        ["actors"] = new JsonArray(new JsonObject
        {
            ["siren"] = "200039865", ["name"] = "Metz Métropole", ["role"] = "porteur", ["phone"] = "+33387201000",
            ["email"] = null, ["financingPercent"] = 100, ["financingEuros"] = null,
        }),
        ["subsidies"] = new JsonArray(new JsonObject { ["name"] = "Participation FEDER", ["nature"] = "feder", ["amount"] = null, ["date"] = null }),
        ["sources"] = new JsonArray(new JsonObject { ["kind"] = "documentation", ["url"] = "https://example.org/doc.pdf" }),
        ["deliverables"] = new JsonArray(Enumerable.Range(0, deliverables).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = null, ["name"] = $"Images raster {i}", ["nature"] = "jpeg2000", ["licence"] = "ouvert_lo",
            ["diffusion"] = "wms", ["diffusionUrl"] = "https://example.org/wms", ["diffusionLayer"] = "pcrs",
            ["deliveryDate"] = null, ["progress"] = null,
        }).ToArray()),
    };

    public static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new JsonException("Empty body.");
}

public sealed record CreatedProject(Guid Id, string EditorKey, Guid[] Deliverables);
