using System;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// Turns a native status into the matching .NET exception, with the native library's message.
    /// </summary>
    /// <remarks>
    /// Call it directly on the result of the native call: <c>mc_last_error()</c> is thread-local and the
    /// next native call on this thread may overwrite it.
    /// </remarks>
    internal static class Ensure
    {
        /// <summary>Throws unless <paramref name="status"/> is <see cref="McStatus.Ok"/>.</summary>
        /// <param name="status">What the native call returned.</param>
        /// <param name="paramName">The argument an <see cref="McStatus.InvalidArgument"/> is about, if known.</param>
        internal static void Success(McStatus status, string paramName = null)
        {
            if (status != McStatus.Ok)
            {
                throw Failure(status, paramName, false);
            }
        }

        /// <summary>
        /// Like <see cref="Success"/> for calls that take no caller argument, where an
        /// <see cref="McStatus.InvalidArgument"/> means the instance cannot answer (an <see cref="InvalidOperationException"/>).
        /// </summary>
        internal static void SuccessForState(McStatus status)
        {
            if (status != McStatus.Ok)
            {
                throw Failure(status, null, true);
            }
        }

        private static Exception Failure(McStatus status, string paramName, bool invalidArgumentIsState)
        {
            string message = Utf8.FromNative(NativeMethods.mc_last_error());
            if (string.IsNullOrEmpty(message))
            {
                message = Utf8.FromNative(NativeMethods.mc_status_str((int)status));
            }

            if (status != McStatus.InvalidArgument)
            {
                return new McAuthException(status, message);
            }

            return invalidArgumentIsState
                ? (Exception)new InvalidOperationException(message)
                : new ArgumentException(message, paramName);
        }
    }
}
