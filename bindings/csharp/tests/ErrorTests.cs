using System;
using System.Diagnostics;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    [TestFixture]
    public class ErrorTests
    {
        // Bounds the retries of the failing scenarios so a regression shows up as a failure, not a hang.
        private static readonly MarketingCloudAuthOptions Bounded = new MarketingCloudAuthOptions { Timeout = TimeSpan.FromSeconds(10) };

        [Test]
        public void RejectedCredentialsAreUnauthorizedAndNotRetried()
        {
            string scenario = FakeMc.Scenario("unauthorized");
            const string secret = "wrong-secret-4711";
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", secret))
            {
                var error = Assert.Throws<McAuthException>(() => auth.GetToken());

                Assert.That(error.Status, Is.EqualTo(McStatus.Unauthorized));
                Assert.That(error.Message, Is.Not.Empty);
                Assert.That(error.Message, Is.Not.StringContaining(secret));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
            }
        }

        [Test]
        public void SlowServerTimesOutWithinTheBudget()
        {
            string scenario = FakeMc.Scenario("timeout", "delay=3000");
            var options = new MarketingCloudAuthOptions { Timeout = TimeSpan.FromMilliseconds(500) };
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret", options))
            {
                var clock = Stopwatch.StartNew();
                var error = Assert.Throws<McAuthException>(() => auth.GetToken());
                clock.Stop();

                Assert.That(error.Status, Is.EqualTo(McStatus.Timeout));
                // Generous: only proves the budget is honoured rather than the 3 s delay waited out.
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(2500)));
            }
        }

        [Test]
        public void UntrustedCertificateIsANetworkError()
        {
            string scenario = FakeMc.Scenario("tls-untrusted");
            using (var auth = new MarketingCloudAuth(FakeMc.Https + "/" + scenario + "/", "id", "secret", Bounded))
            {
                var error = Assert.Throws<McAuthException>(() => auth.GetToken());

                Assert.That(error.Status, Is.EqualTo(McStatus.Network));
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(0), "no request may pass an untrusted handshake");
            }
        }

        [Test]
        public void CaFileMakesTheCertificateTrusted()
        {
            string scenario = FakeMc.Scenario("tls-trusted");
            var options = new MarketingCloudAuthOptions { CaFile = FakeMc.CaFile, Timeout = TimeSpan.FromSeconds(10) };
            using (var auth = new MarketingCloudAuth(FakeMc.Https + "/" + scenario + "/", "id", "secret", options))
            {
                Assert.That(auth.GetToken(), Is.Not.Empty);
                Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
            }
        }

        [Test]
        public void ServerErrorsAreHttpAfterRetries()
        {
            string scenario = FakeMc.Scenario("http-500", "fail=500x*");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret", Bounded))
            {
                var error = Assert.Throws<McAuthException>(() => auth.GetToken());

                Assert.That(error.Status, Is.EqualTo(McStatus.Http));
                Assert.That(FakeMc.Count(scenario), Is.GreaterThan(1), "5xx answers are retried");
            }
        }

        [Test]
        public void MalformedAnswerIsABadResponse()
        {
            string scenario = FakeMc.Scenario("garbage", "body=garbage");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret", Bounded))
            {
                var error = Assert.Throws<McAuthException>(() => auth.GetToken());

                Assert.That(error.Status, Is.EqualTo(McStatus.BadResponse));
            }
        }
    }
}
