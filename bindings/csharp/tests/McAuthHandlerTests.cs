using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    [TestFixture]
    public class McAuthHandlerTests
    {
        [Test]
        public void SixteenConcurrentCallsThroughARevokedTokenAllSucceedWithOneNewToken()
        {
            string scenario = FakeMc.Scenario("rest-revoked");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var client = new HttpClient(new McAuthHandler(auth)))
            {
                string url = auth.RestBaseUrl + "data/v1/echo";
                Assert.That(Post(client, url, "{\"first\":true}").Result, Is.EqualTo("{\"first\":true}"));
                FakeMcApi.Revoke(scenario);

                string[] echoes = Task.WhenAll(
                    Enumerable.Range(0, 16).Select(i => Task.Run(() => Post(client, url, "{\"call\":" + i + "}")))).Result;

                for (int i = 0; i < 16; i++)
                {
                    Assert.That(echoes[i], Is.EqualTo("{\"call\":" + i + "}"), "the body arrives intact on the retry");
                }

                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2), "the first token and exactly one new one");
                Assert.That(FakeMcApi.Stat(scenario, "token_expired"), Is.GreaterThanOrEqualTo(1), "calls did go out with the revoked token");
            }
        }

        [Test]
        public void ARejectedCallInvalidatesExactlyTheTokenItSent()
        {
            string scenario = FakeMc.Scenario("rest-exact");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var other = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            {
                string sent = auth.GetToken();
                FakeMcApi.Revoke(scenario);

                // While the rejection travels back, someone else has already replaced the token.
                var replaceOnce = new AfterFirstAnswer(new HttpClientHandler(), () =>
                {
                    other.Invalidate(sent);
                    other.GetToken();
                });
                using (var client = new HttpClient(new McAuthHandler(auth, replaceOnce)))
                {
                    Assert.That(Post(client, auth.RestBaseUrl + "data/v1/echo", "{}").Result, Is.EqualTo("{}"));
                }

                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2), "the newer token was kept");
            }
        }

        [Test]
        public void ASecondRejectionInARowReachesTheCaller()
        {
            string scenario = FakeMc.Scenario("rest-twice");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var client = new HttpClient(new McAuthHandler(auth)))
            {
                auth.GetToken();
                FakeMcApi.Reject(scenario, 2);

                using (HttpResponseMessage response = client.GetAsync(auth.RestBaseUrl + "platform/v1/endpoints").Result)
                {
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                    StringAssert.Contains("Not Authorized", response.Content.ReadAsStringAsync().Result);
                }

                Assert.That(FakeMcApi.Stat(scenario, "rest_calls"), Is.EqualTo(2), "one retry, no loop");
                Assert.That(FakeMcApi.Stat(scenario, "token_requests"), Is.EqualTo(2));
            }
        }

        [Test]
        public void ABodyThatCannotBeSentTwiceIsNotRetriedButItsTokenIsDropped()
        {
            string scenario = FakeMc.Scenario("rest-stream");
            using (var auth = new MarketingCloudAuth(FakeMc.Url(scenario), "id", "secret"))
            using (var client = new HttpClient(new McAuthHandler(auth)))
            {
                string url = auth.RestBaseUrl + "data/v1/echo";
                string stale = auth.GetToken();
                FakeMcApi.Revoke(scenario);

                var streamed = new StreamContent(new OneWayStream(Encoding.UTF8.GetBytes("{\"streamed\":true}")));
                using (HttpResponseMessage response = client.PostAsync(url, streamed).Result)
                {
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                }

                Assert.That(FakeMcApi.Stat(scenario, "rest_calls"), Is.EqualTo(1));
                Assert.That(auth.GetToken(), Is.Not.EqualTo(stale), "the rejected token was invalidated");
            }
        }

        [Test]
        public void ConstructorsRefuseNulls()
        {
            using (var auth = new MarketingCloudAuth(FakeMc.Url(FakeMc.Scenario("rest-null")), "id", "secret"))
            {
                Assert.Throws<ArgumentNullException>(() => new McAuthHandler(null));
                Assert.Throws<ArgumentNullException>(() => new McAuthHandler(auth, null));
            }
        }

        private static async Task<string> Post(HttpClient client, string url, string json)
        {
            using (HttpResponseMessage response = await client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json")))
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                return await response.Content.ReadAsStringAsync();
            }
        }

        private sealed class AfterFirstAnswer : DelegatingHandler
        {
            private Action _once;

            internal AfterFirstAnswer(HttpMessageHandler inner, Action once)
                : base(inner)
            {
                _once = once;
            }

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, System.Threading.CancellationToken cancellationToken)
            {
                HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
                Action once = System.Threading.Interlocked.Exchange(ref _once, null);
                if (once != null)
                {
                    once();
                }

                return response;
            }
        }

        // A stream that can be read once, front to back, and has no length: a body nobody can buffer up front.
        private sealed class OneWayStream : Stream
        {
            private readonly MemoryStream _inner;

            internal OneWayStream(byte[] bytes)
            {
                _inner = new MemoryStream(bytes);
            }

            public override bool CanRead { get { return true; } }

            public override bool CanSeek { get { return false; } }

            public override bool CanWrite { get { return false; } }

            public override long Length { get { throw new NotSupportedException(); } }

            public override long Position
            {
                get { throw new NotSupportedException(); }
                set { throw new NotSupportedException(); }
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                return _inner.Read(buffer, offset, count);
            }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin)
            {
                throw new NotSupportedException();
            }

            public override void SetLength(long value)
            {
                throw new NotSupportedException();
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                throw new NotSupportedException();
            }
        }
    }
}
