using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MarketingCloud.Auth
{
    // What callers of the Marketing Cloud APIs need beside GetToken: an awaitable token, the SOAP header
    // for a token the caller holds, the native library's verdict on an API answer, and the token's TTL.
    public sealed partial class MarketingCloudAuth
    {
        /// <summary>
        /// Returns a valid access token without blocking the caller's thread: a cached token completes
        /// synchronously (no thread, no wait); otherwise the native fetch, which blocks, runs on the thread pool.
        /// Concurrent callers, synchronous and asynchronous, share a single request.
        /// </summary>
        /// <param name="cancellationToken">
        /// Cancels the wait, at once. The request already sent is not aborted: it finishes in the background and
        /// fills the cache for the next caller.
        /// </param>
        /// <returns>The token, for an <c>Authorization: Bearer</c> header.</returns>
        /// <exception cref="McAuthException">(In the task.) No token could be obtained; <see cref="McAuthException.Status"/> says why.</exception>
        /// <exception cref="OperationCanceledException">(In the task.) <paramref name="cancellationToken"/> was cancelled first.</exception>
        /// <exception cref="ObjectDisposedException">The instance has been disposed.</exception>
        public Task<string> GetTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled<string>(cancellationToken);
            }

            string cached = GetCachedToken();
            if (cached != null)
            {
                return Task.FromResult(cached);
            }

            Task<string> fetch = Task.Run(() => GetToken());
            return cancellationToken.CanBeCanceled ? WithCancellation(fetch, cancellationToken) : fetch;
        }

        /// <summary>
        /// Returns a valid access token, as <see cref="GetToken"/> does, and how long it stays valid: until it
        /// expires, not until it is refreshed. For logs and schedulers; whole seconds.
        /// </summary>
        /// <param name="timeLeft">How long the returned token stays valid.</param>
        /// <exception cref="McAuthException">No token could be obtained; <see cref="McAuthException.Status"/> says why.</exception>
        /// <exception cref="ObjectDisposedException">The instance has been disposed.</exception>
        public string GetTokenWithTtl(out TimeSpan timeLeft)
        {
            IntPtr token;
            uint seconds;
            Ensure.Success(NativeMethods.mc_get_token_ttl(Handle, out token, out seconds));
            timeLeft = TimeSpan.FromSeconds(seconds);
            return Utf8.TakeOwned(token);
        }

        /// <summary>
        /// Returns the SOAP header element carrying exactly <paramref name="token"/>:
        /// <c>&lt;h:fueloauth xmlns="http://exacttarget.com" xmlns:h="http://exacttarget.com"&gt;TOKEN&lt;/h:fueloauth&gt;</c>
        /// (XML-escaped). For a caller that holds the token it will <see cref="Invalidate"/> if the call is rejected,
        /// so header and token always agree. Sends nothing.
        /// </summary>
        /// <param name="token">A token from <see cref="GetToken"/> or <see cref="GetTokenAsync"/>.</param>
        /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
        /// <exception cref="ArgumentException">The token is empty or has characters XML 1.0 cannot carry.</exception>
        public static string SoapHeaderFor(string token)
        {
            if (token == null)
            {
                throw new ArgumentNullException(nameof(token));
            }

            IntPtr header;
            Ensure.ArgumentsAccepted(NativeMethods.mc_soap_header_for(Utf8.ToNative(token, nameof(token)), out header), nameof(token));
            return Utf8.TakeOwned(header);
        }

        /// <summary>
        /// Whether an API answer means "the access token you sent was rejected": then <see cref="Invalidate"/> that
        /// token, get a new one and retry once. The native library decides (HTTP 401 from the REST API, or a SOAP
        /// fault "Token Expired" / "Login Failed" whatever the status), so every binding agrees.
        /// </summary>
        /// <param name="httpStatus">The answer's HTTP status (Marketing Cloud sends SOAP faults with 500).</param>
        /// <param name="body">The answer's body, or null.</param>
        public static bool IsTokenRejected(int httpStatus, string body)
        {
            // Not the strict encoder: a body is whatever the server sent, and a lone surrogate must not throw here.
            return IsTokenRejected(httpStatus, body == null ? null : Encoding.UTF8.GetBytes(body));
        }

        /// <summary>As <see cref="IsTokenRejected(int, string)"/>, for a body still in bytes (any encoding the server used).</summary>
        /// <param name="httpStatus">The answer's HTTP status.</param>
        /// <param name="body">The answer's body, or null.</param>
        public static unsafe bool IsTokenRejected(int httpStatus, byte[] body)
        {
            if (body == null || body.Length == 0)
            {
                return NativeMethods.mc_is_token_rejected(httpStatus, null, UIntPtr.Zero) != 0;
            }

            fixed (byte* start = body)
            {
                return NativeMethods.mc_is_token_rejected(httpStatus, start, (UIntPtr)body.Length) != 0;
            }
        }

        /// <summary>
        /// Whether an answer's body must be read for <see cref="IsTokenRejected(int, byte[])"/> to decide: an error
        /// status other than 401. Otherwise pass a null body: a 401 rejects, and below 400 nothing is looked for
        /// (faults come with 500; a successful answer may be a download). The native library's rule.
        /// </summary>
        /// <param name="httpStatus">The answer's HTTP status.</param>
        public static bool RejectionNeedsBody(int httpStatus)
        {
            return NativeMethods.mc_token_rejection_needs_body(httpStatus) != 0;
        }

        // The token if one is cached and usable now, else null; never sends nor waits. No copy is kept here:
        // the process-wide cache stays the only truth, so an Invalidate through any instance is seen at once.
        private string GetCachedToken()
        {
            byte[] buffer;
            McStatus status = CopyToken(true, out buffer);
            if (status == McStatus.NotCached)
            {
                return null;
            }

            Ensure.Success(status);
            return Utf8.FromBuffer(buffer);
        }

        // Completes with the fetch, or as cancelled the moment the token is cancelled, whichever is first.
        // Continuations run asynchronously so a caller's continuation never runs inside Cancel() or the fetch.
        private static Task<string> WithCancellation(Task<string> fetch, CancellationToken cancellationToken)
        {
            var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            CancellationTokenRegistration registration = cancellationToken.Register(
                () => result.TrySetCanceled(cancellationToken));
            fetch.ContinueWith(
                (done, state) =>
                {
                    registration.Dispose();
                    var target = (TaskCompletionSource<string>)state;
                    if (done.IsFaulted)
                    {
                        // Reading Exception also marks it observed when the waiter has already gone.
                        target.TrySetException(done.Exception.InnerExceptions);
                    }
                    else if (done.IsCanceled)
                    {
                        target.TrySetCanceled();
                    }
                    else
                    {
                        target.TrySetResult(done.Result);
                    }
                },
                result,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return result.Task;
        }
    }
}
