// The package's smoke test: a program built against one of the package's MarketingCloud.Auth.dll, as a user
// builds it. check-package.sh compiles it against lib/net462 and lib/netstandard2.0 and runs it under the fake:
//
//   mono PackageSmoke.exe SUBDOMAIN-OR-URL
//
// It gets a token twice (the second from the cache), makes one REST call through McAuthHandler, and says which
// MarketingCloud.Auth.dll and which libmcauth it ran, so the script can check that both came from the package.
using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using MarketingCloud.Auth;

static class PackageSmoke
{
    static int Main(string[] args)
    {
        using (var auth = new MarketingCloudAuth(args[0], "package-client", "package-secret"))
        {
            string token = auth.GetToken();
            if (string.IsNullOrEmpty(token) || auth.GetToken() != token)
            {
                Console.Error.WriteLine("PackageSmoke: no token, or the second call did not return the cached one");
                return 1;
            }

            using (var client = new HttpClient(new McAuthHandler(auth)) { BaseAddress = new Uri(auth.RestBaseUrl) })
            using (HttpResponseMessage response = client.GetAsync("platform/v1/endpoints").Result)
            {
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine("PackageSmoke: the REST call answered " + (int)response.StatusCode);
                    return 1;
                }
            }

            Console.WriteLine("assembly=" + typeof(MarketingCloudAuth).Assembly.Location);
            Console.WriteLine("native=" + NativeLibraryPath());
            Console.WriteLine("token: " + token.Length + " characters, from mcauth " + MarketingCloudAuth.LibraryVersion);
        }

        return 0;
    }

    // Where the loader found libmcauth: the mapping of this process that names it (Linux).
    private static string NativeLibraryPath()
    {
        return File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]).StartsWith("libmcauth", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .FirstOrDefault() ?? "(not mapped)";
    }
}
