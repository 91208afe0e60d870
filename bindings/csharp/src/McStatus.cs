namespace MarketingCloud.Auth
{
    /// <summary>
    /// The native library's status codes (<c>mc_status</c> in <c>mcauth.h</c>).
    /// The numeric values are fixed by the C contract and never reused.
    /// </summary>
    public enum McStatus
    {
        /// <summary>Success (<c>MC_OK</c>).</summary>
        Ok = 0,

        /// <summary>A null, empty or malformed argument, subdomain, URL or option (<c>MC_ERR_INVALID_ARGUMENT</c>).</summary>
        InvalidArgument = 1,

        /// <summary>The authentication server rejected the credentials with 401 or 403 (<c>MC_ERR_UNAUTHORIZED</c>).</summary>
        Unauthorized = 2,

        /// <summary>Any other non-2xx answer after retries, a refused redirect too (<c>MC_ERR_HTTP</c>).</summary>
        Http = 3,

        /// <summary>DNS, connect, TLS (an untrusted certificate too), reset or proxy failure (<c>MC_ERR_NETWORK</c>).</summary>
        Network = 4,

        /// <summary>The call's time budget ran out (<c>MC_ERR_TIMEOUT</c>).</summary>
        Timeout = 5,

        /// <summary>An answer that was not the expected JSON, or too large to be one (<c>MC_ERR_BAD_RESPONSE</c>).</summary>
        BadResponse = 6,

        /// <summary>A bug in the native library, caught before it could cross the C boundary (<c>MC_ERR_INTERNAL</c>).</summary>
        Internal = 7,

        /// <summary>The caller's buffer is too small for the token; it was left untouched (<c>MC_ERR_BUFFER_TOO_SMALL</c>).</summary>
        BufferTooSmall = 8,

        /// <summary>No usable token is cached, and the call that said so sent nothing (<c>MC_ERR_NOT_CACHED</c>).</summary>
        NotCached = 9,
    }
}
