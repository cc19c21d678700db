using Pcrs.TestSupport;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>
/// A folder of real GDAL fixtures under the peers' data root (so FTP, SFTP and HTTP peers serve it too), created for
/// one test class and deleted after it: /tmp/pcrs-peers/data/cluster-tests/&lt;name&gt;/.
/// </summary>
public sealed class ScratchTree : IDisposable
{
    /// <summary>Data files of the standard tree, relative to its root, with the fixture each is a copy of.</summary>
    public static readonly IReadOnlyDictionary<string, string> StandardFiles = new Dictionary<string, string>
    {
        ["/a/l93_1.tif"] = "l93_rgb_tiled_lzw.tif",
        ["/a/l93_2.tif"] = "l93_rgb_strip_deflate.tif",
        ["/a/deep/l93_3.tif"] = "l93_rgb_tiled_deflate_bigtiff.tif",
        ["/a/deep/l93_4.tif"] = "l93_rgb_tiled_lzw_ifd_at_end.tif",
        ["/b/cc48.tif"] = "cc48_rgb_tiled_deflate.tif",
        ["/b/nogeo_rgb_with_tfw.tif"] = "nogeo_rgb_with_tfw.tif",
        ["/b/broken.tif"] = "corrupt_random.tif",
        ["/c/x/y/z/l93_5.tif"] = "l93_rgbi_4band_tiled_deflate.tif",
    };

    /// <summary>Other files of the standard tree (sidecars and non-data files).</summary>
    public static readonly IReadOnlyDictionary<string, string> StandardOthers = new Dictionary<string, string>
    {
        ["/b/nogeo_rgb_with_tfw.tfw"] = "nogeo_rgb_with_tfw.tfw",
    };

    public ScratchTree(string name)
    {
        Name = name;
        Root = Path.Combine(Peers.DataDir, "cluster-tests", name);
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
        Directory.CreateDirectory(Root);
    }

    public string Name { get; }

    /// <summary>Local folder of the tree.</summary>
    public string Root { get; }

    /// <summary>The tree's path as the FTP, SFTP and HTTP peers see it (their root is the peers' data folder).</summary>
    public string ServerPath => "/cluster-tests/" + Name;

    public static ScratchTree Standard(string name)
    {
        var tree = new ScratchTree(name);
        foreach (var (path, fixture) in StandardFiles.Concat(StandardOthers))
            tree.Copy(fixture, path);
        Directory.CreateDirectory(Path.Combine(tree.Root, "empty"));
        File.WriteAllText(Path.Combine(tree.Root, "readme.txt"), "not a data file\n");
        return tree;
    }

    /// <summary>
    /// A wide tree for load: <paramref name="directories"/> folders of <paramref name="filesPerDirectory"/> hard links
    /// of one fixture each (valid, identical headers; no disk space used), nothing else.
    /// </summary>
    public static ScratchTree Linked(string name, int directories, int filesPerDirectory, string fixture)
    {
        var tree = new ScratchTree(name);
        HardLinks.CreateTree(tree.Root, directories, filesPerDirectory, Path.Combine(Peers.FixturesDir, fixture));
        return tree;
    }

    public void Copy(string fixture, string relativePath)
    {
        string target = Local(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(Path.Combine(Peers.FixturesDir, fixture), target, overwrite: true);
        File.SetLastWriteTimeUtc(target, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    public string Local(string relativePath) => Path.Combine(Root, relativePath.TrimStart('/'));

    public int DirectoryCount => Directory.GetDirectories(Root, "*", SearchOption.AllDirectories).Length;

    public int FileCount => Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Length;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
