using System;
using System.Text;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>The binding's surface over mc_soap_header_for, mc_is_token_rejected and mc_get_token_ttl.</summary>
    [TestFixture]
    public class CallHelpersTests
    {
        private const string TokenExpiredFault =
            "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault>" +
            "<faultcode>q0:Security</faultcode><faultstring>Token Expired</faultstring></soap:Fault></soap:Body></soap:Envelope>";

        [Test]
        public void SoapHeaderForIsTheElementForExactlyThatToken()
        {
            Assert.That(
                MarketingCloudAuth.SoapHeaderFor("a<b&c"),
                Is.EqualTo("<h:fueloauth xmlns=\"http://exacttarget.com\" xmlns:h=\"http://exacttarget.com\">a&lt;b&amp;c</h:fueloauth>"));
        }

        [Test]
        public void SoapHeaderForRefusesWhatNoHeaderCanCarry()
        {
            Assert.Throws<ArgumentNullException>(() => MarketingCloudAuth.SoapHeaderFor(null));
            Assert.Throws<ArgumentException>(() => MarketingCloudAuth.SoapHeaderFor(string.Empty));
        }

        [Test]
        public void IsTokenRejectedPassesStatusAndBodyToTheNativeCheck()
        {
            Assert.That(MarketingCloudAuth.IsTokenRejected(401, (string)null), Is.True);
            Assert.That(MarketingCloudAuth.IsTokenRejected(500, TokenExpiredFault), Is.True);
            Assert.That(MarketingCloudAuth.IsTokenRejected(500, Encoding.UTF8.GetBytes(TokenExpiredFault)), Is.True);
            Assert.That(MarketingCloudAuth.IsTokenRejected(500, TokenExpiredFault.Replace("Token Expired", "Throttled")), Is.False);
            Assert.That(MarketingCloudAuth.IsTokenRejected(200, new byte[0]), Is.False);
        }

        [Test]
        public void RejectionNeedsBodyIsTheNativeRule()
        {
            Assert.That(MarketingCloudAuth.RejectionNeedsBody(500), Is.True);
            Assert.That(MarketingCloudAuth.RejectionNeedsBody(401), Is.False);
            Assert.That(MarketingCloudAuth.RejectionNeedsBody(200), Is.False);
        }

        [Test]
        public void GetTokenWithTtlSaysHowLongTheTokenLives()
        {
            using (var auth = FakeMc.Auth("ttl", out _, "expires=900"))
            {
                TimeSpan left;
                string token = auth.GetTokenWithTtl(out left);

                Assert.That(token, Is.EqualTo(auth.GetToken()));
                Assert.That(left, Is.InRange(TimeSpan.FromSeconds(890), TimeSpan.FromSeconds(900)));
            }
        }
    }
}
