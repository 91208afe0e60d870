using System;
using System.Diagnostics;
using System.Threading;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>Each option reaches the native library (seen in its effect); only what C cannot carry is refused in C#.</summary>
    [TestFixture]
    public class OptionTests
    {
        private const string Tenant = "mc563885gzs27c5t9-63k636ttgm";

        [Test]
        public void TimeoutReachesTheLibraryRoundedUpToAMillisecond()
        {
            // One tick must become 1 ms, not 0 (which the library refuses); the default 30 s would wait the 1 s out.
            string scenario = FakeMc.Scenario("timeout", "delay=1000");
            var options = new MarketingCloudAuthOptions { Timeout = TimeSpan.FromTicks(1) };
            var clock = Stopwatch.StartNew();
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret", options))
            {
                var error = Assert.Throws<McAuthException>(() => auth.GetToken());

                Assert.That(error.Status, Is.EqualTo(McStatus.Timeout));
            }

            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(900)));
        }

        [Test]
        public void RefreshMarginReachesTheLibrary()
        {
            // A 1 s token is refreshed half-way (0.5 s) under the default 5-minute margin, but only at expiry
            // (1 s) with a zero margin: 0.6 s later only the first refetches.
            string scenario = FakeMc.Scenario("margin", "expires=1");
            var options = new MarketingCloudAuthOptions { RefreshMargin = TimeSpan.Zero };
            using (var standard = new MarketingCloudAuth(FakeMc.Url(scenario), "default-margin", "secret"))
            using (var zero = new MarketingCloudAuth(FakeMc.Url(scenario), "zero-margin", "secret", options))
            {
                string standardFirst = standard.GetToken();
                string zeroFirst = zero.GetToken();

                Thread.Sleep(600);

                Assert.That(standard.GetToken(), Is.Not.EqualTo(standardFirst));
                Assert.That(zero.GetToken(), Is.EqualTo(zeroFirst));
            }
        }

        [Test]
        public void MaxAttemptsReachesTheLibrary()
        {
            string scenario = FakeMc.Scenario("attempts", "fail=500x*"); // the library's default would send 4
            var options = new MarketingCloudAuthOptions { MaxAttempts = 1 };
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret", options))
            {
                var error = Assert.Throws<McAuthException>(() => auth.GetToken());

                Assert.That(error.Status, Is.EqualTo(McStatus.Http));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
            }
        }

        [Test]
        public void CaFileReachesTheLibrary()
        {
            string scenario = FakeMc.Scenario("ca-file");
            var options = new MarketingCloudAuthOptions { CaFile = FakeMc.CaFile };
            using (var auth = new MarketingCloudAuth(FakeMc.Https + "/" + scenario + "/", "id", "secret", options))
            {
                Assert.That(auth.GetToken(), Is.Not.Empty);
            }
        }

        [Test]
        public void ProxyReachesTheLibrary()
        {
            string scenario = FakeMc.Scenario("proxy");
            int before = FakeMc.ProxyRequests();
            var options = new MarketingCloudAuthOptions { Proxy = FakeMc.Proxy };
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret", options))
            {
                Assert.That(auth.GetToken(), Is.Not.Empty);
                Assert.That(FakeMc.ProxyRequests(), Is.GreaterThan(before));
            }
        }

        [Test]
        public void TheLibraryRefusesABadValueAsAnArgumentException()
        {
            var refused = new[]
            {
                new MarketingCloudAuthOptions { Timeout = TimeSpan.Zero },
                new MarketingCloudAuthOptions { MaxAttempts = 0 },
                new MarketingCloudAuthOptions { MaxAttempts = 11 },
                new MarketingCloudAuthOptions { Proxy = "not a proxy url" },
                new MarketingCloudAuthOptions { CaFile = "/nonexistent/mcauth-ca.pem" },
                new MarketingCloudAuthOptions { SharedCache = "ftp://store.example/x" },
            };
            foreach (MarketingCloudAuthOptions options in refused)
            {
                var error = Assert.Throws<ArgumentException>(() => new MarketingCloudAuth(Tenant, "id", "secret", options));

                Assert.That(error.ParamName, Is.EqualTo("options"));
                Assert.That(error.Message, Is.Not.Empty);
            }
        }

        [Test]
        public void WhatTheNativeTypeCannotCarryIsOutOfRange()
        {
            var outOfRange = new[]
            {
                new MarketingCloudAuthOptions { Timeout = TimeSpan.FromMilliseconds(-1) },
                new MarketingCloudAuthOptions { Timeout = TimeSpan.FromMilliseconds(uint.MaxValue + 1.0) },
                new MarketingCloudAuthOptions { RefreshMargin = TimeSpan.FromSeconds(-1) },
                new MarketingCloudAuthOptions { MaxAttempts = -1 },
            };
            foreach (MarketingCloudAuthOptions options in outOfRange)
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => new MarketingCloudAuth(Tenant, "id", "secret", options));
            }
        }
    }
}
