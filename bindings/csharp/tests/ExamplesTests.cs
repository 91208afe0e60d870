using System.IO;
using System.Threading;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>The README's examples (examples/*.cs, compiled into this assembly) run, and are the README's code.</summary>
    [TestFixture]
    public class ExamplesTests
    {
        [Test]
        public void TheExamplesWorkAgainstTheFake()
        {
            using (var auth = FakeMc.Auth("examples", out string scenario))
            {
                using (var rest = new RestApi(auth))
                {
                    Assert.That(rest.PostJsonAsync("data/v1/echo", "{\"a\":1}").Result, Is.EqualTo("{\"a\":1}"));
                }

                StringAssert.Contains("valid for 59 more minutes", TokenInfo.DescribeAsync(auth, CancellationToken.None).Result);
                Assert.That(WcfSoap.SubscriberNames(auth).Length, Is.EqualTo(2));
                Assert.That(AsmxSoap.CreateSubscribers(auth, "ann", "bob", "cy"), Is.EqualTo(3));
                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(1));
            }
        }

        [Test]
        public void TheReadmeShowsEachExampleAsCompiled()
        {
            string readme = Repository.Text("bindings/csharp/README.md").Replace("\r\n", "\n");

            foreach (string example in Repository.Files("bindings/csharp/examples", "*.cs"))
            {
                string code = Repository.Text(example).Replace("\r\n", "\n");
                Assert.That(readme.Contains("```csharp\n" + code + "```"), Is.True, Path.GetFileName(example) + " is not in README.md as it is");
            }
        }
    }
}
