namespace Lamina.Cli;

/// <summary>What <c>lamina code push</c> was asked.</summary>
internal sealed record CodePushArguments(string ZipPath, string Namespace, bool Layer, string Store, string Username, string PasswordFile, bool InsecureSkipTlsVerify)
{
    public const string StoreVariable = "LAMINA_CODE_STORE";
    public const string UsernameVariable = "LAMINA_CODE_STORE_USERNAME";
    public const string PasswordFileVariable = "LAMINA_CODE_STORE_PASSWORD_FILE";

    /// <summary>Parses the arguments after <c>code push</c>; false with the problem when they are wrong.</summary>
    public static bool TryParse(IReadOnlyList<string> args, Func<string, string?> environment, out CodePushArguments? parsed, out string problem)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        parsed = null;
        string? zip = null, ns = null;
        var store = environment(StoreVariable) ?? "";
        var username = environment(UsernameVariable) ?? "";
        var passwordFile = environment(PasswordFileVariable) ?? "";
        bool layer = false, insecure = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--layer":
                    layer = true;
                    continue;
                case "--insecure-skip-tls-verify":
                    insecure = true;
                    continue;
                case "--namespace" or "-n" or "--store" or "--username" or "--password-file":
                    if (i + 1 >= args.Count)
                    {
                        problem = $"{arg} needs a value";
                        return false;
                    }

                    var value = args[++i];
                    if (arg == "--store")
                    {
                        store = value;
                    }
                    else if (arg == "--username")
                    {
                        username = value;
                    }
                    else if (arg == "--password-file")
                    {
                        passwordFile = value;
                    }
                    else
                    {
                        ns = value;
                    }

                    continue;
            }

            if (arg.StartsWith('-'))
            {
                problem = $"unknown option {arg}";
                return false;
            }

            if (zip is not null)
            {
                problem = $"one zip at a time ({zip}, then {arg})";
                return false;
            }

            zip = arg;
        }

        if (zip is null)
        {
            problem = "name the zip to push";
            return false;
        }

        if (string.IsNullOrEmpty(ns))
        {
            problem = "--namespace is required: the code is stored in that namespace's repository, and only its functions can run it";
            return false;
        }

        if (store.Length == 0)
        {
            problem = $"--store (or ${StoreVariable}) is required: the code store's URL (make code-push finds make up's)";
            return false;
        }

        parsed = new CodePushArguments(zip, ns, layer, store, username, passwordFile, insecure);
        problem = "";
        return true;
    }
}
