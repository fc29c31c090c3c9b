using Lamina.Tools.Crds;

// lamina-tools crds <folder>          write the CRDs into <folder>
// lamina-tools crds <folder> --check  fail when <folder> differs from what would be written
if (args is not ["crds", var folder, ..])
{
    Console.Error.WriteLine("usage: lamina-tools crds <folder> [--check]");
    return 2;
}

var check = args.Contains("--check");
var stale = new List<string>();
foreach (var (file, content) in CrdWriter.Render())
{
    var path = Path.Combine(folder, file);
    if (check)
    {
        if (!File.Exists(path) || File.ReadAllText(path) != content)
        {
            stale.Add(path);
        }
    }
    else
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(path, content);
        Console.WriteLine($"wrote {path}");
    }
}

if (stale.Count > 0)
{
    Console.Error.WriteLine($"out of date (run `make generate`): {string.Join(", ", stale)}");
    return 1;
}

return 0;
