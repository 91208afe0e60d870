using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using MarketingCloud.Auth;

/// <summary>
/// Compares a cached <see cref="MarketingCloudAuth.GetToken"/> and <see cref="MarketingCloudAuth.GetTokenAsync"/>
/// with the cheapest possible P/Invoke into the same library (<c>mc_version</c>), in one run, so the ratio shows
/// the binding's own overhead.
/// Needs the fake server (FAKE_MC_HTTP) for the one real token request.
/// </summary>
internal static class Bench
{
    private const int Repeats = 9;
    private const int CallsPerRepeat = 200000;

    // Declared here rather than reaching into the library's internals: a bare call, no marshalling at all.
    [DllImport("mcauth", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern IntPtr mc_version();

    private static int Main()
    {
        string http = Environment.GetEnvironmentVariable("FAKE_MC_HTTP");
        if (string.IsNullOrEmpty(http))
        {
            Console.Error.WriteLine("FAKE_MC_HTTP is not set: run under tests/with-fake-mc.sh");
            return 2;
        }

        using (var auth = new MarketingCloudAuth(http.TrimEnd('/') + "/cs-bench-" + Guid.NewGuid().ToString("N") + "/", "bench", "secret"))
        {
            auth.GetToken(); // fills the cache: everything measured below is a cache hit

            double cached = MedianNanoseconds(() =>
            {
                Stopwatch clock = Stopwatch.StartNew();
                for (int i = 0; i < CallsPerRepeat; i++)
                {
                    auth.GetToken();
                }

                return clock.Elapsed;
            });
            double cachedAsync = MedianNanoseconds(() =>
            {
                Stopwatch clock = Stopwatch.StartNew();
                for (int i = 0; i < CallsPerRepeat; i++)
                {
                    auth.GetTokenAsync().GetAwaiter().GetResult(); // completed already: a cache hit runs inline
                }

                return clock.Elapsed;
            });
            double bare = MedianNanoseconds(() =>
            {
                Stopwatch clock = Stopwatch.StartNew();
                for (int i = 0; i < CallsPerRepeat; i++)
                {
                    mc_version();
                }

                return clock.Elapsed;
            });
            Console.WriteLine(
                "csharp  cached GetToken {0,8:F1} ns/call   bare mc_version {1,6:F1} ns/call   ratio {2:F1}",
                cached, bare, cached / bare);
            Console.WriteLine(
                "csharp  cached GetTokenAsync {0,3:F1} ns/call   same run's bare mc_version   ratio {1:F1}",
                cachedAsync, cachedAsync / bare);
        }

        return 0;
    }

    // One delegate call per repeat, not per call, so the harness adds nothing measurable to either side.
    private static double MedianNanoseconds(Func<TimeSpan> repeat)
    {
        repeat(); // warm-up: JIT, the native library's lazy state, CPU caches

        var samples = new double[Repeats];
        for (int r = 0; r < Repeats; r++)
        {
            samples[r] = repeat().TotalMilliseconds * 1e6 / CallsPerRepeat;
        }

        Array.Sort(samples);
        return samples[Repeats / 2];
    }
}
