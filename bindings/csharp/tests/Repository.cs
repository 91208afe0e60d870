using System;
using System.IO;
using System.Reflection;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>Files of the checkout the suite was built from, found upwards from the test assembly.</summary>
    internal static class Repository
    {
        /// <summary>The full path of <paramref name="relativePath"/> (e.g. <c>include/mcauth.h</c>) under the repository root.</summary>
        internal static string File(string relativePath)
        {
            string start = Path.GetDirectoryName(Assembly.GetExecutingAssembly().Location);
            for (string folder = start; folder != null; folder = Path.GetDirectoryName(folder))
            {
                if (System.IO.File.Exists(Path.Combine(folder, "Cargo.toml")) && System.IO.File.Exists(Path.Combine(folder, "include", "mcauth.h")))
                {
                    return Path.Combine(folder, relativePath);
                }
            }

            throw new InvalidOperationException("no repository root (Cargo.toml and include/mcauth.h) above " + start);
        }
    }
}
