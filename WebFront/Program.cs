// Placeholder entry point; the hosting issue replaces it with the co-hosted silo and the web front.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/alive", () => "ok");
app.Run();

public partial class Program;
