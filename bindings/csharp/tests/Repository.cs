using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>Files of the checkout the suite was built from, found upwards from the test assembly.</summary>
    internal static class Repository
    {
        /// <summary>The text of <paramref name="relativePath"/> (e.g. <c>include/mcauth.h</c>) under the repository root.</summary>
        internal static string Text(string relativePath)
        {
            return File.ReadAllText(Path.Combine(Root(), relativePath));
        }

        /// <summary>
        /// The files of <paramref name="relativeFolder"/> that match <paramref name="pattern"/>, as paths under the
        /// repository root for <see cref="Text"/>.
        /// </summary>
        internal static string[] Files(string relativeFolder, string pattern)
        {
            return Directory.GetFiles(Path.Combine(Root(), relativeFolder), pattern)
                .Select(file => Path.Combine(relativeFolder, Path.GetFileName(file)))
                .ToArray();
        }

        private static string Root()
        {
            string start = Path.GetDirectoryName(Assembly.GetExecutingAssembly().Location);
            for (string folder = start; folder != null; folder = Path.GetDirectoryName(folder))
            {
                if (File.Exists(Path.Combine(folder, "Cargo.toml")) && File.Exists(Path.Combine(folder, "include", "mcauth.h")))
                {
                    return folder;
                }
            }

            throw new InvalidOperationException("no repository root (Cargo.toml and include/mcauth.h) above " + start);
        }
    }
}
