using System;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    [TestFixture]
    public class ArgumentTests
    {
        [Test]
        public void NullArgumentsAreRefusedByName()
        {
            string url = FakeMc.Url(FakeMc.Scenario("null-args"));

            Assert.That(Assert.Throws<ArgumentNullException>(() => new MarketingCloudAuth(null, "id", "secret")).ParamName, Is.EqualTo("subdomain"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => new MarketingCloudAuth(url, null, "secret")).ParamName, Is.EqualTo("clientId"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => new MarketingCloudAuth(url, "id", null)).ParamName, Is.EqualTo("clientSecret"));
        }

        [TestCase("")]
        [TestCase("evil.com/")]
        [TestCase("a b")]
        [TestCase("mc.evil")]
        [TestCase("mc#x")]
        [TestCase("http://10.1.2.3/")]
        [TestCase("ftp://x")]
        public void BadSubdomainIsRefusedWithTheLibrarysMessage(string subdomain)
        {
            var error = Assert.Throws<ArgumentException>(() => new MarketingCloudAuth(subdomain, "id", "secret"));

            Assert.That(error, Is.Not.InstanceOf<ArgumentNullException>());
            Assert.That(error.Message, Is.Not.Empty);
        }

        [Test]
        public void OverlongSubdomainIsRefused()
        {
            Assert.Throws<ArgumentException>(() => new MarketingCloudAuth(new string('a', 64), "id", "secret"));
        }

        [Test]
        public void RefusedSubdomainSendsNothing()
        {
            string scenario = FakeMc.Scenario("refused");
            // The fake's own address and scenario, but with a scheme the library must refuse.
            string ftp = "ftp" + FakeMc.Url(scenario).Substring("http".Length);

            Assert.Throws<ArgumentException>(() => new MarketingCloudAuth(ftp, "id", "secret"));
            Assert.Throws<ArgumentException>(() => new MarketingCloudAuth(FakeMc.Url(scenario), "", "secret"));
            Assert.Throws<ArgumentException>(() => new MarketingCloudAuth(FakeMc.Url(scenario), "id", ""));

            Assert.That(FakeMc.Count(scenario), Is.EqualTo(0));
        }

        [Test]
        public void EmbeddedNulIsRefusedRatherThanTruncated()
        {
            string url = FakeMc.Url(FakeMc.Scenario("nul"));

            var error = Assert.Throws<ArgumentException>(() => new MarketingCloudAuth(url, "id", "secret\0ignored"));
            Assert.That(error.ParamName, Is.EqualTo("clientSecret"));
        }

        [Test]
        public void LoneSurrogateIsRefusedRatherThanReplaced()
        {
            string url = FakeMc.Url(FakeMc.Scenario("surrogate"));

            Assert.Throws(Is.InstanceOf<ArgumentException>(), () => new MarketingCloudAuth(url, "id\uD800", "secret"));
        }
    }
}
