using Lamina.Tools.Crds;

// lamina-tools crds <folder> [--chart <chart-crds-folder>]          write the CRDs into <folder> (and the Helm chart's copy)
// lamina-tools crds <folder> [--chart <chart-crds-folder>] --check  fail when a folder differs from what would be written
if (args is not ["crds", var folder, ..])
{
    Console.Error.WriteLine("usage: lamina-tools crds <folder> [--chart <chart-crds-folder>] [--check]");
    return 2;
}

var check = args.Contains("--check");
var chart = Array.IndexOf(args, "--chart") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
var outputs = CrdWriter.Render().Select(file => (Folder: folder, File: file.Key, Content: file.Value)).ToList();
if (chart is not null)
{
    outputs.AddRange(ChartCrdWriter.Render().Select(file => (Folder: chart, File: file.Key, Content: file.Value)));
}

var stale = new List<string>();
foreach (var (target, file, content) in outputs)
{
    var path = Path.Combine(target, file);
    if (check)
    {
        if (!File.Exists(path) || File.ReadAllText(path) != content)
        {
            stale.Add(path);
        }
    }
    else
    {
        Directory.CreateDirectory(target);
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
