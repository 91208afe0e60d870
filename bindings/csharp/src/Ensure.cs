using System;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// Turns a native status into the matching .NET exception, with the native library's message: the
    /// binding's one status → exception table (<see cref="ExceptionFor"/>).
    /// </summary>
    /// <remarks>
    /// Call it directly on the result of the native call: <c>mc_last_error()</c> is thread-local and the
    /// next native call on this thread may overwrite it.
    /// </remarks>
    internal static class Ensure
    {
        /// <summary>
        /// Throws unless <paramref name="status"/> is <see cref="McStatus.Ok"/>, for a call that passed the
        /// caller's arguments on (the constructor, its options, <see cref="MarketingCloudAuth.Invalidate"/>).
        /// </summary>
        /// <param name="status">What the native call returned.</param>
        /// <param name="paramName">The argument an <see cref="McStatus.InvalidArgument"/> is about, if known.</param>
        internal static void ArgumentsAccepted(McStatus status, string paramName = null)
        {
            if (status != McStatus.Ok)
            {
                throw ExceptionFor(status, LastError(status), true, paramName);
            }
        }

        /// <summary>
        /// Throws unless <paramref name="status"/> is <see cref="McStatus.Ok"/>, for a call whose only input
        /// is the instance itself (tokens, the SOAP header, the tenant's endpoints).
        /// </summary>
        internal static void Success(McStatus status)
        {
            if (status != McStatus.Ok)
            {
                throw ExceptionFor(status, LastError(status), false, null);
            }
        }

        /// <summary>
        /// The table: <see cref="McStatus.InvalidArgument"/> from a call that passed the caller's arguments is an
        /// <see cref="ArgumentException"/>; every other failure, <see cref="McStatus.InvalidArgument"/> from a
        /// call without arguments included (the instance's own state cannot answer), is an
        /// <see cref="McAuthException"/> carrying the status, codes newer than this binding too.
        /// </summary>
        internal static Exception ExceptionFor(McStatus status, string message, bool callerArguments, string paramName)
        {
            if (status == McStatus.InvalidArgument && callerArguments)
            {
                return new ArgumentException(message, paramName);
            }

            return new McAuthException(status, message);
        }

        private static string LastError(McStatus status)
        {
            string message = Utf8.FromNative(NativeMethods.mc_last_error());
            return string.IsNullOrEmpty(message) ? Utf8.FromNative(NativeMethods.mc_status_str((int)status)) : message;
        }
    }
}
