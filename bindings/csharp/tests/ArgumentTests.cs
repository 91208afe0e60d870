using System;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>Strings into the library: null, NUL, lone surrogates, and the library's refusal as an ArgumentException.</summary>
    [TestFixture]
    public class ArgumentTests
    {
        private const string Tenant = "mc563885gzs27c5t9-63k636ttgm";

        [Test]
        public void NullArgumentsAreRefusedByNameBeforeC()
        {
            Assert.That(Assert.Throws<ArgumentNullException>(() => new MarketingCloudAuth(null, "id", "secret")).ParamName, Is.EqualTo("subdomain"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => new MarketingCloudAuth(Tenant, null, "secret")).ParamName, Is.EqualTo("clientId"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => new MarketingCloudAuth(Tenant, "id", null)).ParamName, Is.EqualTo("clientSecret"));
        }

        [Test]
        public void ARefusedArgumentIsAnArgumentExceptionWithTheLibrarysMessage()
        {
            const string secret = "s3cr3t-value-4711";
            var error = Assert.Throws<ArgumentException>(() => new MarketingCloudAuth("a b", "id", secret));

            StringAssert.Contains("subdomain", error.Message); // the library's detail, not the binding's
            Assert.That(error.Message, Is.Not.StringContaining(secret));
        }

        [Test]
        public void EmbeddedNulIsRefusedRatherThanTruncated()
        {
            var error = Assert.Throws<ArgumentException>(() => new MarketingCloudAuth(Tenant, "id", "secret\0ignored"));
            Assert.That(error.ParamName, Is.EqualTo("clientSecret"));

            using (var auth = new MarketingCloudAuth(Tenant, "id", "secret"))
            {
                var invalidate = Assert.Throws<ArgumentException>(() => auth.Invalidate("token\0tail"));
                Assert.That(invalidate.ParamName, Is.EqualTo("rejectedToken"));
            }
        }

        [Test]
        public void LoneSurrogateIsRefusedRatherThanReplaced()
        {
            Assert.Throws(Is.InstanceOf<ArgumentException>(), () => new MarketingCloudAuth(Tenant, "id\uD800", "secret"));
        }
    }
}
