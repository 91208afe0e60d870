using System;
using System.Net.Http;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>
    /// MarketingCloudAuth.Enhanced: the binding's surface for enhanced packages (/v2/token). What /v2/token
    /// does (a cache per business unit, its errors, the instance URLs) is proved in Rust.
    /// </summary>
    [TestFixture]
    public class EnhancedTests
    {
        [Test]
        public void AnEnhancedInstanceAsksV2ForItsBusinessUnit()
        {
            string scenario = FakeMc.Scenario("enhanced");
            var options = new MarketingCloudAuthOptions { MaxAttempts = 2 };
            using (var auth = MarketingCloudAuth.Enhanced(FakeMc.Url(scenario), "id", "secret", 510000123, "email_read", options))
            {
                StringAssert.StartsWith("fake_", auth.GetToken());
                Assert.That(auth.RestBaseUrl, Is.EqualTo(FakeMc.Http + "/")); // the answer's rest_instance_url
            }

            string last = FakeMc.Last(scenario);
            StringAssert.Contains("\"endpoint\":\"/v2/token\"", last);
            StringAssert.Contains("\"account_id\":\"510000123\"", last);
            StringAssert.Contains("email_read", last);
            Assert.That(FakeMc.Count(scenario), Is.EqualTo(1));
        }

        [Test]
        public void EnhancedArgumentsAreChecked()
        {
            string scenario = FakeMc.Scenario("enhanced-arguments");
            Assert.Throws<ArgumentNullException>(() => MarketingCloudAuth.Enhanced(null, "id", "secret"));
            Assert.Throws<ArgumentException>(() => MarketingCloudAuth.Enhanced(FakeMc.Url(scenario), "id", "secret", -5));
            Assert.Throws<ArgumentException>(() => MarketingCloudAuth.Enhanced(FakeMc.Url(scenario), "id", "secret", null, ""));
            Assert.That(FakeMc.Count(scenario), Is.EqualTo(0));
        }

        [Test]
        public void TheHandlerTakesAnEnhancedInstanceUnchanged()
        {
            string scenario = FakeMc.Scenario("enhanced-handler");
            using (var auth = MarketingCloudAuth.Enhanced(FakeMc.Url(scenario), "id", "secret"))
            using (var client = new HttpClient(new McAuthHandler(auth)))
            {
                var answer = client.PostAsync(auth.RestBaseUrl + "data/v1/echo", new StringContent("rows")).Result;
                Assert.That((int)answer.StatusCode, Is.EqualTo(200));
                Assert.That(answer.Content.ReadAsStringAsync().Result, Is.EqualTo("rows"));
            }
        }
    }
}
