using System;
using System.Runtime.InteropServices;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// The entry points of the native library (<c>include/mcauth.h</c>) that the binding calls, in one place.
    /// </summary>
    /// <remarks>
    /// Strings go in as NUL-terminated UTF-8 <c>byte[]</c> built by <see cref="Utf8.ToNative"/> and come
    /// back as <see cref="IntPtr"/> read by <see cref="Utf8"/>: the default string marshalling is ANSI on
    /// .NET Framework and differs between runtimes, and <c>UnmanagedType.LPUTF8Str</c> does not exist on
    /// .NET Framework 4.6.2 or Mono's older profiles.
    /// Handles travel as <see cref="McAuthHandle"/>: the marshaller then holds a reference on the handle
    /// for the duration of the call, so a concurrent <c>Dispose</c> cannot free it mid-call.
    /// </remarks>
    internal static class NativeMethods
    {
        // "mcauth" resolves to mcauth.dll on Windows and libmcauth.so / libmcauth.dylib elsewhere; where it is
        // searched for is narrowed once for all of these by DefaultDllImportSearchPaths in AssemblyInfo.cs.
        private const string Library = "mcauth";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_auth_new(byte[] subdomain, byte[] clientId, byte[] clientSecret, out McAuthHandle auth);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_auth_new_enhanced(
            byte[] subdomain, byte[] clientId, byte[] clientSecret, byte[] accountId, byte[] scope, out McAuthHandle auth);

        // The hot path: one call into a per-thread buffer and nothing to free (no mc_string_free, as
        // mc_get_token would need). A pointer to a buffer the caller pinned with `fixed`:
        // a byte[] parameter may be copied in and out by the marshaller on some runtimes.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern unsafe McStatus mc_get_token_into(McAuthHandle auth, byte* buffer, UIntPtr capacity);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_soap_header(McAuthHandle auth, out IntPtr header);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_auth_invalidate(McAuthHandle auth, byte[] rejectedToken);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_auth_set_timeout_ms(McAuthHandle auth, uint timeoutMs);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_auth_set_refresh_margin_secs(McAuthHandle auth, uint secs);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_auth_set_ca_file(McAuthHandle auth, byte[] pemPath);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_auth_set_proxy(McAuthHandle auth, byte[] proxyUrl);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_auth_set_max_attempts(McAuthHandle auth, uint attempts);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_auth_set_shared_cache(McAuthHandle auth, byte[] storeUrl);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_shared_cache_error(McAuthHandle auth, out IntPtr detail);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_rest_base_url(McAuthHandle auth, out IntPtr url);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_soap_endpoint(McAuthHandle auth, out IntPtr url);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void mc_string_free(IntPtr s);

        // Takes the raw pointer: it is only ever called from McAuthHandle.ReleaseHandle.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void mc_auth_free(IntPtr auth);

        // The three below return static or thread-local text that must not be freed.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr mc_status_str(int status);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr mc_last_error();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr mc_version();

        // For GetTokenAsync: serves a cached token inline and never sends or waits (MC_ERR_NOT_CACHED).
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern unsafe McStatus mc_get_cached_token_into(McAuthHandle auth, byte* buffer, UIntPtr capacity);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_get_token_ttl(McAuthHandle auth, out IntPtr token, out uint secondsLeft);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern McStatus mc_soap_header_for(byte[] token, out IntPtr header);

        // Returns 1 or 0, records no error. A pointer, not byte[], so a slice of a buffer can be asked about.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern unsafe int mc_is_token_rejected(int httpStatus, byte* body, UIntPtr bodyLength);

        // Returns 1 or 0, records no error.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int mc_token_rejection_needs_body(int httpStatus);
    }
}
