using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// An <see cref="HttpClient"/> handler that sends every request with <c>Authorization: Bearer TOKEN</c> and,
    /// when the API rejects that token (the native library's <see cref="MarketingCloudAuth.IsTokenRejected(int, byte[])"/>),
    /// invalidates exactly that token, gets a new one and sends the request once more.
    /// </summary>
    /// <remarks>
    /// <para>A second rejection in a row reaches the caller as it came: there is never more than one retry, so
    /// never more than one new token per request.</para>
    /// <para>To send a request twice its body must be kept: a body of known length up to
    /// <see cref="MaxRetryBodyBytes"/> is buffered; a larger or unknown-length (streamed) body is sent once and,
    /// if rejected, the token is still invalidated but the rejection is returned to the caller.</para>
    /// <para>Only error answers other than 401 are read to ask the native library (its rule,
    /// <see cref="MarketingCloudAuth.RejectionNeedsBody"/>; a 401 is decided on its status alone); their body is
    /// buffered, so the caller can still read it.</para>
    /// </remarks>
    public sealed class McAuthHandler : DelegatingHandler
    {
        /// <summary>The largest request body that is buffered so a rejected request can be sent again: 4 MiB.</summary>
        public const long MaxRetryBodyBytes = 4 * 1024 * 1024;

        private readonly MarketingCloudAuth _auth;

        /// <summary>Sends through a new <see cref="HttpClientHandler"/>.</summary>
        /// <param name="auth">Where tokens come from; not disposed by this handler.</param>
        /// <exception cref="ArgumentNullException"><paramref name="auth"/> is null.</exception>
        public McAuthHandler(MarketingCloudAuth auth)
            : this(auth, new HttpClientHandler())
        {
        }

        /// <summary>Sends through <paramref name="innerHandler"/>.</summary>
        /// <param name="auth">Where tokens come from; not disposed by this handler.</param>
        /// <param name="innerHandler">The handler that sends the requests.</param>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        public McAuthHandler(MarketingCloudAuth auth, HttpMessageHandler innerHandler)
            : base(innerHandler ?? throw new ArgumentNullException(nameof(innerHandler)))
        {
            _auth = auth ?? throw new ArgumentNullException(nameof(auth));
        }

        /// <inheritdoc />
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            byte[] body = await BufferBodyAsync(request.Content).ConfigureAwait(false);
            bool canResend = request.Content == null || body != null;

            string token = await _auth.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response = await SendWithAsync(request, token, cancellationToken).ConfigureAwait(false);
            if (!await IsRejectedAsync(response).ConfigureAwait(false))
            {
                return response;
            }

            _auth.Invalidate(token);
            if (!canResend)
            {
                return response;
            }

            response.Dispose();
            if (body != null)
            {
                // A fresh content with the same headers: inner handlers may dispose or consume the one they sent.
                request.Content = CopyOf(request.Content, body);
            }

            token = await _auth.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            return await SendWithAsync(request, token, cancellationToken).ConfigureAwait(false);
        }

        private Task<HttpResponseMessage> SendWithAsync(HttpRequestMessage request, string token, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }

        // The body's bytes when it can be sent twice, else null (no body, or too large or of unknown length).
        private static async Task<byte[]> BufferBodyAsync(HttpContent content)
        {
            if (content == null)
            {
                return null;
            }

            long? length = content.Headers.ContentLength;
            if (length == null || length > MaxRetryBodyBytes)
            {
                return null;
            }

            return await content.ReadAsByteArrayAsync().ConfigureAwait(false);
        }

        private static HttpContent CopyOf(HttpContent original, byte[] body)
        {
            var copy = new ByteArrayContent(body);
            foreach (KeyValuePair<string, IEnumerable<string>> header in original.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            original.Dispose();
            return copy;
        }

        private static async Task<bool> IsRejectedAsync(HttpResponseMessage response)
        {
            int status = (int)response.StatusCode;
            if (!MarketingCloudAuth.RejectionNeedsBody(status) || response.Content == null)
            {
                return MarketingCloudAuth.IsTokenRejected(status, (byte[])null);
            }

            // Buffered by the read, so the caller can still read the body of an answer passed on.
            byte[] body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            return MarketingCloudAuth.IsTokenRejected(status, body);
        }
    }
}
