namespace Pcrs.WebFront.Home;

/// <summary>A minimal home page until the product pages replace it.</summary>
public static class HomePage
{
    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>PCRS storage scanner</title></head>
        <body>
          <h1>PCRS storage scanner</h1>
          <p>Crawls the storages where PCRS deliverables are published and reads the header of every tile.</p>
          <ul>
            <li><a href="/health">Health</a> (PostgreSQL and Orleans)</li>
            <li><a href="/alive">Alive</a></li>
          </ul>
        </body>
        </html>
        """;

    public static WebApplication MapHomePage(this WebApplication app)
    {
        app.MapGet("/", () => Results.Content(Html, "text/html; charset=utf-8"));
        return app;
    }
}
