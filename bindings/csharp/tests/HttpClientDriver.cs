using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>
    /// An <see cref="HttpClient"/> with <see cref="McAuthHandler"/>: a call posts its keys to the fake's echo
    /// endpoint, which sends the body back byte for byte.
    /// </summary>
    internal sealed class HttpClientDriver : ClientDriver
    {
        private readonly HttpClient _client;
        private readonly string _restBaseUrl;

        internal HttpClientDriver(MarketingCloudAuth auth, FirstAttempt first)
            : base(first)
        {
            _client = new HttpClient(new McAuthHandler(auth, new AroundFirstSend(First)));
            _restBaseUrl = auth.RestBaseUrl;
        }

        internal override string CallCounter
        {
            get { return "rest_calls"; }
        }

        internal override string Call(int call)
        {
            using (HttpResponseMessage response = _client.PostAsync(_restBaseUrl + "data/v1/echo", new StringContent(Keys(call))).Result)
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                return response.Content.ReadAsStringAsync().Result;
            }
        }

        // A request without a body, which the handler retries with nothing to buffer; the answer comes back as it was.
        internal override void AssertTheRejectionReachesTheCaller()
        {
            using (HttpResponseMessage response = _client.GetAsync(_restBaseUrl + "platform/v1/endpoints").Result)
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                StringAssert.Contains("Not Authorized", response.Content.ReadAsStringAsync().Result);
            }
        }

        internal override int RetrieveOutsideInvoke()
        {
            throw new NotSupportedException("McAuthHandler handles every request of its HttpClient: there is no call outside it");
        }

        public override void Dispose()
        {
            _client.Dispose();
        }

        // Below McAuthHandler: sees each request with its token, and each answer before the handler does.
        private sealed class AroundFirstSend : DelegatingHandler
        {
            private readonly FirstAttempt _first;

            internal AroundFirstSend(FirstAttempt first)
                : base(new HttpClientHandler())
            {
                _first = first;
            }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                return _first.AroundAsync(() => base.SendAsync(request, cancellationToken));
            }
        }
    }
}
