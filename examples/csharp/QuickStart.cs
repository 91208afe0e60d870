// QuickStart.cs: the whole mcauth flow from C# (.NET Framework 4.x, Mono or .NET 6+).
//
// Reads MC_SUBDOMAIN, MC_CLIENT_ID and MC_CLIENT_SECRET (and, optionally, MC_CA_FILE) from
// the environment, never from the command line, where `ps` would show the secret.
// Build and run with Mono from the repository root:
//
//   cargo build --release
//   mcs -unsafe -out:QuickStart.exe examples/csharp/QuickStart.cs bindings/csharp/src/*.cs
//   LD_LIBRARY_PATH=target/release mono QuickStart.exe
using System;
using System.Collections.Generic;
using System.Diagnostics;
using MarketingCloud.Auth;

internal static class QuickStart
{
    private const int Rounds = 5;
    private const int CallsPerRound = 20000;

    private static int Main()
    {
        string subdomain = Environment.GetEnvironmentVariable("MC_SUBDOMAIN");
        string clientId = Environment.GetEnvironmentVariable("MC_CLIENT_ID");
        string clientSecret = Environment.GetEnvironmentVariable("MC_CLIENT_SECRET");
        string caFile = Environment.GetEnvironmentVariable("MC_CA_FILE");
        if (subdomain == null || clientId == null || clientSecret == null)
        {
            Console.Error.WriteLine("error: set MC_SUBDOMAIN, MC_CLIENT_ID and MC_CLIENT_SECRET");
            return 2;
        }
        var options = new MarketingCloudAuthOptions { CaFile = string.IsNullOrEmpty(caFile) ? null : caFile };

        try
        {
            using (var auth = new MarketingCloudAuth(subdomain, clientId, clientSecret, options))
            {
                var watch = Stopwatch.StartNew();
                string token = auth.GetToken();
                Print("token", Masked(token), string.Format("(first call: {0:F1} ms)", watch.Elapsed.TotalMilliseconds));

                watch.Restart();
                string again = auth.GetToken();
                double againUs = watch.Elapsed.TotalMilliseconds * 1000;
                Print("again", Masked(again), string.Format("({0}, {1:F1} µs: from the cache)",
                    again == token ? "same token" : "NEW TOKEN", againUs));

                // A second instance with the same credentials shares the process-wide cache.
                using (var second = new MarketingCloudAuth(subdomain, clientId, clientSecret, options))
                {
                    string shared = second.GetToken();
                    Print("new instance", Masked(shared),
                        shared == token ? "(same token: the cache is process-wide)" : "(NEW TOKEN)");
                }

                Print("SOAP header", MaskedHeader(auth.GetSoapHeader()), "");
                Print("REST base", Endpoint(() => auth.RestBaseUrl), "");
                Print("SOAP endpoint", Endpoint(() => auth.SoapEndpoint), "");
                Print("cached call", string.Format("{0:F0} ns (median of {1} × {2} calls)",
                    CachedCallNs(auth), Rounds, CallsPerRound), "");

                // After a REST or SOAP call answers 401 with this token:
                //     auth.Invalidate(token);   and the next GetToken() fetches a new one.
            }
        }
        catch (McAuthException e)
        {
            Console.Error.WriteLine("error: {0} ({1})", e.Message, e.Status);
            return 1;
        }
        return 0;
    }

    private static void Print(string label, string value, string note)
    {
        Console.WriteLine(("  " + label.PadRight(13) + " " + value + "  " + note).TrimEnd());
    }

    // The first 4 characters: enough to compare, useless to steal.
    private static string Masked(string token)
    {
        return token.Substring(0, Math.Min(4, token.Length)) + "…";
    }

    private static string MaskedHeader(string header)
    {
        int openEnd = header.IndexOf('>') + 1;
        int close = header.IndexOf("</h:fueloauth>", StringComparison.Ordinal);
        return header.Substring(0, openEnd) + Masked(header.Substring(openEnd, close - openEnd)) + header.Substring(close);
    }

    private static string Endpoint(Func<string> get)
    {
        try
        {
            return get();
        }
        catch (McAuthException e) when (e.Status == McStatus.InvalidArgument)
        {
            // An instance made from a custom auth URL names no tenant.
            return "n/a (a custom auth URL names no tenant)";
        }
    }

    private static double CachedCallNs(MarketingCloudAuth auth)
    {
        var rounds = new List<double>();
        for (int r = 0; r < Rounds; r++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < CallsPerRound; i++)
            {
                auth.GetToken();
            }
            rounds.Add(watch.Elapsed.TotalMilliseconds * 1e6 / CallsPerRound);
        }
        rounds.Sort();
        return rounds[Rounds / 2];
    }
}
