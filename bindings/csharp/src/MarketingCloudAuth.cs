using System;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// Access tokens for one Marketing Cloud installed package, legacy (<c>/v1/requestToken</c>, the constructors)
    /// or enhanced (<c>/v2/token</c>, <see cref="Enhanced"/>), cached and refreshed by the native mcauth library.
    /// </summary>
    /// <remarks>
    /// <para>The token cache is process-wide and shared by every instance with the same subdomain, client id
    /// and secret, so creating several instances is cheap and does not multiply token requests.
    /// Creating an instance sends nothing; the first <see cref="GetToken"/> does.</para>
    /// <para>One instance may be used from any number of threads at once, <see cref="Dispose"/> included.
    /// An instance that is never disposed is released by its finalizer.</para>
    /// </remarks>
    public sealed partial class MarketingCloudAuth : IDisposable
    {
        private readonly McAuthHandle _handle;
        private readonly string _subdomain;
        private readonly string _clientId;

        /// <summary>Creates an instance with the native library's default options. Nothing is sent yet.</summary>
        /// <param name="subdomain">The tenant subdomain or the package's Authentication Base URI.</param>
        /// <param name="clientId">The installed package's client id.</param>
        /// <param name="clientSecret">The installed package's client secret. It is not kept by this object.</param>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="ArgumentException">The native library refused an argument (its message says why).</exception>
        /// <exception cref="DllNotFoundException">The native library (<c>libmcauth.so</c> / <c>mcauth.dll</c>) cannot be found.</exception>
        public MarketingCloudAuth(string subdomain, string clientId, string clientSecret)
            : this(subdomain, clientId, clientSecret, null)
        {
        }

        /// <summary>Creates an instance. Nothing is sent until the first token is needed.</summary>
        /// <param name="subdomain">
        /// The tenant subdomain (e.g. <c>mc563885gzs27c5t9-63k636ttgm</c>), or the package's Authentication Base URI
        /// (<c>https://SUBDOMAIN.auth.marketingcloudapis.com/</c>).
        /// </param>
        /// <param name="clientId">The installed package's client id.</param>
        /// <param name="clientSecret">The installed package's client secret. It is not kept by this object.</param>
        /// <param name="options">Optional settings; null keeps every default.</param>
        /// <exception cref="ArgumentNullException"><paramref name="subdomain"/>, <paramref name="clientId"/> or <paramref name="clientSecret"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">An option is negative or too large for the native library's type.</exception>
        /// <exception cref="ArgumentException">The native library refused an argument or option (its message says why).</exception>
        /// <exception cref="DllNotFoundException">The native library (<c>libmcauth.so</c> / <c>mcauth.dll</c>) cannot be found.</exception>
        public MarketingCloudAuth(string subdomain, string clientId, string clientSecret, MarketingCloudAuthOptions options)
            : this(subdomain, clientId, clientSecret, options, NativeMethods.mc_auth_new)
        {
        }

        /// <summary>How a constructor makes the native handle: mc_auth_new, or mc_auth_new_enhanced with its extra arguments.</summary>
        private delegate McStatus NewHandle(byte[] subdomain, byte[] clientId, byte[] clientSecret, out McAuthHandle handle);

        private MarketingCloudAuth(
            string subdomain, string clientId, string clientSecret, MarketingCloudAuthOptions options, NewHandle newHandle)
        {
            if (subdomain == null)
            {
                throw new ArgumentNullException(nameof(subdomain));
            }

            if (clientId == null)
            {
                throw new ArgumentNullException(nameof(clientId));
            }

            if (clientSecret == null)
            {
                throw new ArgumentNullException(nameof(clientSecret));
            }

            // Everything that can fail in C# is converted before the native handle exists, so it cannot leak.
            options = options ?? new MarketingCloudAuthOptions();
            uint? timeoutMs = options.Timeout.HasValue ? TimeoutMilliseconds(options.Timeout.Value) : (uint?)null;
            uint? marginSecs = options.RefreshMargin.HasValue ? MarginSeconds(options.RefreshMargin.Value) : (uint?)null;
            uint? maxAttempts = options.MaxAttempts.HasValue ? Attempts(options.MaxAttempts.Value) : (uint?)null;
            byte[] caFile = Utf8.ToNative(options.CaFile, nameof(options));
            byte[] proxy = Utf8.ToNative(options.Proxy, nameof(options));
            byte[] sharedCache = Utf8.ToNative(options.SharedCache, nameof(options));
            byte[] subdomainUtf8 = Utf8.ToNative(subdomain, nameof(subdomain));
            byte[] clientIdUtf8 = Utf8.ToNative(clientId, nameof(clientId));
            byte[] secretUtf8 = Utf8.ToNative(clientSecret, nameof(clientSecret));

            McAuthHandle handle;
            McStatus status;
            try
            {
                status = newHandle(subdomainUtf8, clientIdUtf8, secretUtf8, out handle);
            }
            finally
            {
                // The native side keeps its own copy; don't leave one more in the managed heap.
                Array.Clear(secretUtf8, 0, secretUtf8.Length);
            }

            try
            {
                // The library's message names the refused argument.
                Ensure.ArgumentsAccepted(status);
                if (timeoutMs.HasValue)
                {
                    Ensure.ArgumentsAccepted(NativeMethods.mc_auth_set_timeout_ms(handle, timeoutMs.Value), nameof(options));
                }

                if (marginSecs.HasValue)
                {
                    Ensure.ArgumentsAccepted(NativeMethods.mc_auth_set_refresh_margin_secs(handle, marginSecs.Value), nameof(options));
                }

                if (maxAttempts.HasValue)
                {
                    Ensure.ArgumentsAccepted(NativeMethods.mc_auth_set_max_attempts(handle, maxAttempts.Value), nameof(options));
                }

                if (caFile != null)
                {
                    Ensure.ArgumentsAccepted(NativeMethods.mc_auth_set_ca_file(handle, caFile), nameof(options));
                }

                if (proxy != null)
                {
                    Ensure.ArgumentsAccepted(NativeMethods.mc_auth_set_proxy(handle, proxy), nameof(options));
                }

                if (sharedCache != null)
                {
                    Ensure.ArgumentsAccepted(NativeMethods.mc_auth_set_shared_cache(handle, sharedCache), nameof(options));
                }
            }
            catch
            {
                handle.Dispose();
                throw;
            }

            _handle = handle;
            _subdomain = subdomain;
            _clientId = clientId;
        }

        /// <summary>The native library's version, e.g. <c>0.1.0</c>.</summary>
        /// <exception cref="DllNotFoundException">The native library cannot be found.</exception>
        public static string LibraryVersion
        {
            get { return Utf8.FromNative(NativeMethods.mc_version()); }
        }

        /// <summary>
        /// The tenant's REST base URL, <c>https://SUBDOMAIN.rest.marketingcloudapis.com/</c>.
        /// </summary>
        /// <exception cref="McAuthException">
        /// <see cref="McAuthException.Status"/> <see cref="McStatus.InvalidArgument"/>: the instance was created from a URL
        /// that names no Marketing Cloud tenant.
        /// </exception>
        /// <exception cref="ObjectDisposedException">The instance has been disposed.</exception>
        public string RestBaseUrl
        {
            get
            {
                IntPtr url;
                Ensure.Success(NativeMethods.mc_rest_base_url(Handle, out url));
                return Utf8.TakeOwned(url);
            }
        }

        /// <summary>
        /// The tenant's SOAP endpoint, <c>https://SUBDOMAIN.soap.marketingcloudapis.com/Service.asmx</c>.
        /// </summary>
        /// <exception cref="McAuthException">
        /// <see cref="McAuthException.Status"/> <see cref="McStatus.InvalidArgument"/>: the instance was created from a URL
        /// that names no Marketing Cloud tenant.
        /// </exception>
        /// <exception cref="ObjectDisposedException">The instance has been disposed.</exception>
        public string SoapEndpoint
        {
            get
            {
                IntPtr url;
                Ensure.Success(NativeMethods.mc_soap_endpoint(Handle, out url));
                return Utf8.TakeOwned(url);
            }
        }

        /// <summary>
        /// What went wrong with the shared cache (<see cref="MarketingCloudAuthOptions.SharedCache"/> or
        /// <c>MCAUTH_SHARED_CACHE</c>) in this instance's latest use of it, or null when nothing did. For diagnostics
        /// only: a store failure never fails a call, which goes on without the store.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The instance has been disposed.</exception>
        public string SharedCacheError
        {
            get
            {
                IntPtr detail;
                Ensure.Success(NativeMethods.mc_shared_cache_error(Handle, out detail));
                string text = Utf8.TakeOwned(detail);
                return text.Length == 0 ? null : text;
            }
        }

        // The explicit check gives the usual message; the marshaller's own reference counting still
        // covers a Dispose that lands between this check and the native call.
        private McAuthHandle Handle
        {
            get
            {
                if (_handle.IsClosed)
                {
                    throw new ObjectDisposedException(nameof(MarketingCloudAuth));
                }

                return _handle;
            }
        }

        /// <summary>
        /// Returns a valid access token: the cached one, or a new one when there is none or it is about to expire.
        /// Concurrent callers share a single request.
        /// </summary>
        /// <returns>The token, for an <c>Authorization: Bearer</c> header.</returns>
        /// <exception cref="McAuthException">No token could be obtained; <see cref="McAuthException.Status"/> says why.</exception>
        /// <exception cref="ObjectDisposedException">The instance has been disposed.</exception>
        public string GetToken()
        {
            byte[] buffer;
            Ensure.Success(CopyToken(false, out buffer));
            return Utf8.FromBuffer(buffer);
        }

        // Copies the token into this thread's buffer (cachedOnly: only a cached one, never sending), or, for a
        // rare token longer than that buffer (left untouched), into a one-off buffer that always fits
        // (MC_TOKEN_BUFFER_SIZE). The native status says which: Ok, NotCached, or why there is no token.
        private McStatus CopyToken(bool cachedOnly, out byte[] buffer)
        {
            buffer = tokenBuffer ?? (tokenBuffer = new byte[TokenBufferSize]);
            McStatus status = CopyToken(cachedOnly, buffer);
            if (status == McStatus.BufferTooSmall)
            {
                buffer = new byte[MaxTokenBufferSize];
                status = CopyToken(cachedOnly, buffer);
            }

            return status;
        }

        private unsafe McStatus CopyToken(bool cachedOnly, byte[] buffer)
        {
            fixed (byte* start = buffer)
            {
                return cachedOnly
                    ? NativeMethods.mc_get_cached_token_into(Handle, start, (UIntPtr)buffer.Length)
                    : NativeMethods.mc_get_token_into(Handle, start, (UIntPtr)buffer.Length);
            }
        }

        // Marketing Cloud tokens are a few hundred bytes; longer ones take a one-off buffer.
        private const int TokenBufferSize = 4096;

        // MC_TOKEN_BUFFER_SIZE in mcauth.h (checked by the tests): always holds a token and its NUL.
        internal const int MaxTokenBufferSize = 65536;

        // One buffer per thread, so concurrent GetToken calls never share one.
        [ThreadStatic]
        private static byte[] tokenBuffer;

        /// <summary>
        /// Returns the SOAP header element carrying a valid token:
        /// <c>&lt;h:fueloauth xmlns="http://exacttarget.com" xmlns:h="http://exacttarget.com"&gt;TOKEN&lt;/h:fueloauth&gt;</c>,
        /// to place inside <c>&lt;s:Header&gt;</c>.
        /// </summary>
        /// <exception cref="McAuthException">No token could be obtained; <see cref="McAuthException.Status"/> says why.</exception>
        /// <exception cref="ObjectDisposedException">The instance has been disposed.</exception>
        public string GetSoapHeader()
        {
            IntPtr header;
            Ensure.Success(NativeMethods.mc_soap_header(Handle, out header));
            return Utf8.TakeOwned(header);
        }

        /// <summary>
        /// Tells the cache that an API rejected <paramref name="rejectedToken"/> (HTTP 401, SOAP "Token Expired"),
        /// so the next <see cref="GetToken"/> fetches a new one. If the cache already holds a newer token it is kept,
        /// so many threads reporting the same stale token cause a single new request.
        /// </summary>
        /// <param name="rejectedToken">The token the API rejected, or null to drop the cached token unconditionally.</param>
        /// <exception cref="ArgumentException">The native library refused the token (its message says why).</exception>
        /// <exception cref="ObjectDisposedException">The instance has been disposed.</exception>
        public void Invalidate(string rejectedToken)
        {
            Ensure.ArgumentsAccepted(
                NativeMethods.mc_auth_invalidate(Handle, Utf8.ToNative(rejectedToken, nameof(rejectedToken))),
                nameof(rejectedToken));
        }

        /// <summary>
        /// Releases the native handle. Safe to call more than once; calls made afterwards throw
        /// <see cref="ObjectDisposedException"/>. The process-wide token cache is not affected.
        /// </summary>
        public void Dispose()
        {
            _handle.Dispose();
        }

        /// <summary>
        /// Describes the instance by subdomain and client id; never shows the secret, a token or the shared cache's
        /// URL (which may hold a password).
        /// </summary>
        public override string ToString()
        {
            return "MarketingCloudAuth(subdomain=" + _subdomain + ", clientId=" + _clientId + ")";
        }

        // The option conversions below refuse only what the native uint cannot carry; every value it can carry
        // goes to the library, which checks it (zero Timeout, MaxAttempts outside 1-10) with its own message.

        // Rounded up: a tiny positive budget must not become the invalid 0, and refreshing a fraction of a
        // second early is harmless where late is not.
        private static uint TimeoutMilliseconds(TimeSpan timeout)
        {
            return RoundedUp(timeout, timeout.TotalMilliseconds, "options.Timeout", "milliseconds");
        }

        private static uint MarginSeconds(TimeSpan margin)
        {
            return RoundedUp(margin, margin.TotalSeconds, "options.RefreshMargin", "seconds");
        }

        private static uint RoundedUp(TimeSpan span, double amount, string name, string unit)
        {
            double rounded = Math.Ceiling(amount);
            if (span < TimeSpan.Zero || rounded > uint.MaxValue)
            {
                throw new ArgumentOutOfRangeException(
                    name, span, name.Substring(8) + " must not be negative nor exceed uint.MaxValue " + unit + ".");
            }

            return (uint)rounded;
        }

        private static uint Attempts(int attempts)
        {
            if (attempts < 0)
            {
                throw new ArgumentOutOfRangeException("options.MaxAttempts", attempts, "MaxAttempts must not be negative.");
            }

            return (uint)attempts;
        }
    }
}
