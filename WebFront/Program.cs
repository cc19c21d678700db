// Placeholder entry point; the hosting issue replaces it with the co-hosted silo and the web front.
using Pcrs.WebFront;

var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.UseLocalhostClustering());
builder.Services.AddWebFront(builder.Configuration);
var app = builder.Build();
app.UseWebFront();
app.MapGet("/alive", () => "ok");
app.MapWebFront();
app.Run();

public partial class Program;
