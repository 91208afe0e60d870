using MarketingCloud.Auth.Asmx;
using NUnit.Framework;
using PartnerApi.Asmx;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>
    /// Against PartnerAPI, which run-tests.sh generates with Mono's wsdl from the fake's WSDL. What every client does
    /// on a call (the header, the retry) is proved for ASMX in AuthenticatedCallTests.
    /// </summary>
    [TestFixture]
    public class AsmxTests
    {
        [Test]
        public void CreateGivesTheGeneratedProxyPointedAtTheTenant()
        {
            using (var auth = FakeMc.Auth("asmx-create", out _))
            {
                PartnerAPI proxy = FuelOAuthAsmx.Create<PartnerAPI>(auth);

                Assert.That(proxy.Url, Is.EqualTo(auth.SoapEndpoint));
                Assert.That(proxy, Is.InstanceOf<PartnerAPI>());
            }
        }
    }
}
