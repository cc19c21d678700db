namespace Pcrs.Hosting.Tests.Support;

/// <summary>Where the product's built assemblies are: their own bin folders, same configuration as the tests.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    // .../tests/Hosting.Tests/bin/<Configuration>/<tfm>/
    private static readonly string Configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name;
    private static readonly string TargetFramework = new DirectoryInfo(AppContext.BaseDirectory).Name;

    public static string ProjectDirectoryOf(string assemblyName) => Path.Combine(Root, ProjectOf(assemblyName));

    private static string ProjectOf(string assemblyName) => assemblyName switch
    {
        "Pcrs.Silo" => "Silo",
        "Pcrs.WebFront" => "WebFront",
        _ => throw new ArgumentException($"Unknown product assembly {assemblyName}"),
    };

    public static string OutputDirectoryOf(string assemblyName)
    {
        string project = ProjectOf(assemblyName);
        string[] candidates =
        [
            Path.Combine(Root, project, "bin", Configuration, TargetFramework),
            Path.Combine(Root, project, "bin", "Debug", TargetFramework),
            Path.Combine(Root, project, "bin", "Release", TargetFramework),
        ];
        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, assemblyName + ".dll")))
            ?? throw new FileNotFoundException($"{assemblyName}.dll is not built; build the solution first.", candidates[0]);
    }

    public static string AssemblyOf(string assemblyName) =>
        Path.Combine(OutputDirectoryOf(assemblyName), assemblyName + ".dll");

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pcrs.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Pcrs.Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}
