using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>The status → exception table, the enum mirrored from the header, and the one failure end to end.</summary>
    [TestFixture]
    public class ErrorTests
    {
        // A custom URL names no tenant; not loopback, so the core cannot derive the fake's addresses from it.
        private const string CustomUrl = "https://auth.example.com/";

        [Test]
        public void EveryFailedStatusMapsToItsException()
        {
            // MC_ERR_INTERNAL (a caught panic) cannot be provoked from outside, so the table is checked directly.
            foreach (McStatus status in Enum.GetValues(typeof(McStatus)).Cast<McStatus>().Where(s => s != McStatus.Ok))
            {
                var withoutArguments = Ensure.ExceptionFor(status, "detail", false, null);
                Assert.That(withoutArguments, Is.TypeOf<McAuthException>(), status.ToString());
                Assert.That(((McAuthException)withoutArguments).Status, Is.EqualTo(status));
                Assert.That(withoutArguments.Message, Is.EqualTo("detail"));

                var withArguments = Ensure.ExceptionFor(status, "detail", true, "value");
                if (status == McStatus.InvalidArgument)
                {
                    Assert.That(withArguments, Is.TypeOf<ArgumentException>());
                    Assert.That(((ArgumentException)withArguments).ParamName, Is.EqualTo("value"));
                    StringAssert.StartsWith("detail", withArguments.Message);
                }
                else
                {
                    Assert.That(withArguments, Is.TypeOf<McAuthException>(), status.ToString());
                    Assert.That(((McAuthException)withArguments).Status, Is.EqualTo(status));
                }
            }

            // A code newer than this binding still arrives, as itself.
            var unknown = Ensure.ExceptionFor((McStatus)99, "detail", true, null);
            Assert.That(unknown, Is.TypeOf<McAuthException>());
            Assert.That((int)((McAuthException)unknown).Status, Is.EqualTo(99));
        }

        [Test]
        public void McStatusMirrorsTheHeadersEnumExactly()
        {
            string header = Repository.Text("include/mcauth.h");
            Match body = Regex.Match(header, @"typedef enum mc_status \{(.*?)\} mc_status;", RegexOptions.Singleline);
            Assert.That(body.Success, "no mc_status enum in mcauth.h");
            var fromHeader = new SortedDictionary<string, int>();
            foreach (Match value in Regex.Matches(body.Groups[1].Value, @"^\s*(MC_\w+) = (\d+),", RegexOptions.Multiline))
            {
                fromHeader.Add(PascalCase(value.Groups[1].Value), int.Parse(value.Groups[2].Value, CultureInfo.InvariantCulture));
            }

            var fromEnum = new SortedDictionary<string, int>();
            foreach (McStatus status in Enum.GetValues(typeof(McStatus)))
            {
                fromEnum.Add(status.ToString(), (int)status);
            }

            Assert.That(fromHeader, Is.Not.Empty);
            Assert.That(fromEnum, Is.EqualTo(fromHeader));
        }

        [Test]
        public void TenantEndpointsOfACustomUrlAreTheLibrarysInvalidArgument()
        {
            // The same state gives the same status in every binding: the core's MC_ERR_INVALID_ARGUMENT,
            // through the same table as every other call without arguments.
            using (var auth = new MarketingCloudAuth(CustomUrl, "id", "secret"))
            {
                var rest = Assert.Throws<McAuthException>(() => { string unused = auth.RestBaseUrl; });
                Assert.That(rest.Status, Is.EqualTo(McStatus.InvalidArgument));
                Assert.That(rest.Message, Is.Not.Empty);
                var soap = Assert.Throws<McAuthException>(() => { string unused = auth.SoapEndpoint; });
                Assert.That(soap.Status, Is.EqualTo(McStatus.InvalidArgument));
            }
        }

        [Test]
        public void AFailureEndToEnd()
        {
            string scenario = FakeMc.Scenario("unauthorized");
            const string secret = "wrong-secret-4711"; // the fake answers 401 to a secret starting with "wrong"
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", secret))
            {
                var error = Assert.Throws<McAuthException>(() => auth.GetToken());

                Assert.That(error.Status, Is.EqualTo(McStatus.Unauthorized));
                StringAssert.Contains("401", error.Message);
                Assert.That(error.Message, Is.Not.StringContaining(secret));
            }
        }

        // MC_ERR_INVALID_ARGUMENT → InvalidArgument, MC_OK → Ok.
        private static string PascalCase(string cName)
        {
            string[] words = Regex.Replace(cName, "^MC_(ERR_)?", string.Empty).Split('_');
            return string.Concat(words.Select(w => w.Substring(0, 1) + w.Substring(1).ToLowerInvariant()));
        }
    }
}
